#!/usr/bin/env bash
# The Action's install step: puts the release's static binary on the runner without compiling.
# Downloads shipcheck-VERSION-linux-ARCH.tar.gz and SHA256SUMS from the release, refuses a tarball
# whose checksum does not match, and keeps the binary in the runner's tool cache, where the next
# job finds it. With SHIPCHECK_BUILD_FROM_SOURCE=true (or on macOS) it builds the package instead.
# In:  SHIPCHECK_VERSION, SHIPCHECK_RELEASE_URL (default the GitHub release of SHIPCHECK_REPOSITORY),
#      SHIPCHECK_BUILD_FROM_SOURCE, ACTION_PATH, RUNNER_TOOL_CACHE, GITHUB_OUTPUT
# Out: binary=PATH in GITHUB_OUTPUT
set -euo pipefail
version=${SHIPCHECK_VERSION:?SHIPCHECK_VERSION: which release to install}
output=${GITHUB_OUTPUT:-/dev/stdout}
if [ "${SHIPCHECK_BUILD_FROM_SOURCE:-false}" = true ] || [ "$(uname -s)" != Linux ]; then
  swift build -c release --product shipcheck --package-path "${ACTION_PATH:?}" >&2
  echo "binary=$(swift build -c release --product shipcheck --package-path "$ACTION_PATH" --show-bin-path)/shipcheck" >> "$output"
  exit 0
fi
arch=$(uname -m)
name="shipcheck-$version-linux-$arch"
cache="${RUNNER_TOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}}/shipcheck/$version/$arch"
if [ -x "$cache/shipcheck" ]; then
  echo "shipcheck $version: from the tool cache ($cache)" >&2
else
  base=${SHIPCHECK_RELEASE_URL:-https://github.com/${SHIPCHECK_REPOSITORY:?}/releases/download/v$version}
  download=$(mktemp -d)
  trap 'rm -rf "$download"' EXIT
  curl -fsSL --retry 3 -o "$download/$name.tar.gz" "$base/$name.tar.gz"
  curl -fsSL --retry 3 -o "$download/SHA256SUMS" "$base/SHA256SUMS"
  expected=$(awk -v file="$name.tar.gz" '$2 == file || $2 == "*" file { print $1 }' "$download/SHA256SUMS")
  actual=$(sha256sum "$download/$name.tar.gz" | cut -d' ' -f1)
  if [ -z "$expected" ] || [ "$expected" != "$actual" ]; then
    echo "::error title=shipcheck::$name.tar.gz does not match the release's SHA256SUMS (expected ${expected:-no entry}, got $actual); nothing was installed"
    exit 1
  fi
  tar -C "$download" -xzf "$download/$name.tar.gz"
  mkdir -p "$cache"
  install -m 755 "$download/$name/shipcheck" "$cache/shipcheck.partial"
  mv "$cache/shipcheck.partial" "$cache/shipcheck"
  echo "shipcheck $version: downloaded and verified (sha256 $actual)" >&2
fi
echo "binary=$cache/shipcheck" >> "$output"
