#!/usr/bin/env bash
# Checks the artifacts scripts/release.sh made, as a user would meet them (CI runs it as root):
# - the tarball's binary links no Swift or Foundation library (ldd), and runs --version, validate
#   and the deploy demo with the Swift toolchain's folder hidden (a private mount namespace);
# - SHA256SUMS holds for both artifacts;
# - the .deb installs with apt-get, its shipcheck runs the demo, and the man page and completions
#   are where the package puts them; it is removed again at the end.
#   scripts/check-release.sh VERSION
set -euo pipefail
version=${1:?usage: scripts/check-release.sh VERSION}
cd "$(dirname "$0")/.."
arch=$(uname -m)
case "$arch" in x86_64) debarch=amd64 ;; aarch64) debarch=arm64 ;; *) debarch=$arch ;; esac
name="shipcheck-$version-linux-$arch"
deb="shipcheck_${version}_$debarch.deb"
fail() { echo "check-release: $*" >&2; exit 1; }

(cd dist && sha256sum --check --quiet SHA256SUMS) || fail "SHA256SUMS does not hold"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -C "$work" -xzf "dist/$name.tar.gz"
binary="$work/$name/shipcheck"
for file in shipcheck completions/shipcheck.bash completions/_shipcheck completions/shipcheck.fish man/shipcheck.1; do
  [ -s "$work/$name/$file" ] || fail "the tarball lacks $file"
done
if ldd "$binary" | grep -Ei 'swift|foundation|icu|stdc\+\+'; then fail "the binary links the libraries above dynamically"; fi
echo "check-release: ldd lists $(ldd "$binary" | awk '{print $1}' | tr '\n' ' ')"
echo "check-release: $(du -h "$binary" | cut -f1) stripped"

# The toolchain's folder, hidden: its root when it is a folder of its own, else its runtime libraries.
swift_path=$(readlink -f "$(command -v swift)")
toolchain=$(dirname "$(dirname "$(dirname "$swift_path")")")
case "$toolchain" in /|/usr|/usr/local) hide=$(dirname "$(dirname "$swift_path")")/lib/swift ;; *) hide=$toolchain ;; esac
empty="$work/empty"
mkdir -p "$empty"
# The demo as a user's checkout of it: a repository of its own (a deploy matches its gate by commit).
demo_copy() {
  rm -rf "$work/demo" && cp -R examples/deploy "$work/demo" && rm -rf "$work/demo/.shipcheck" "$work/demo/state"
  (cd "$work/demo" && git init -q && git add -A && git -c user.email=ci@localhost -c user.name=ci commit -qm demo)
}
demo_copy
cp -R examples/mina "$work/mina"
unshare -m sh -c '
  set -e
  mount --bind "$1" "$2"
  if ls "$2"/* >/dev/null 2>&1; then echo "check-release: $2 is not hidden" >&2; exit 1; fi
  "$3" --version
  "$3" validate --config "$4/mina/shipcheck.yml"
  SHIPCHECK="$3" sh "$4/demo/demo.sh" > "$4/demo.log" 2>&1 || { cat "$4/demo.log"; exit 1; }
  echo "check-release: the demo ran with $2 hidden"
' sh "$empty" "$hide" "$binary" "$work"
"$binary" --version | grep -q "^$version (commit " || fail "--version does not say the version and commit: $("$binary" --version)"

# The Debian package.
apt-get install -y -qq "./dist/$deb" > /dev/null
trap 'apt-get remove -y -qq shipcheck > /dev/null 2>&1 || true; rm -rf "$work"' EXIT
[ "$(command -v shipcheck)" = /usr/bin/shipcheck ] || fail "the package did not put shipcheck in /usr/bin"
for file in /usr/share/man/man1/shipcheck.1.gz /usr/share/bash-completion/completions/shipcheck \
            /usr/share/zsh/vendor-completions/_shipcheck /usr/share/fish/vendor_completions.d/shipcheck.fish; do
  [ -s "$file" ] || fail "the package did not install $file"
done
demo_copy
SHIPCHECK=shipcheck sh "$work/demo/demo.sh" > "$work/deb-demo.log" 2>&1 || { cat "$work/deb-demo.log"; fail "the packaged shipcheck did not run the demo"; }
echo "check-release: the .deb installs, and its shipcheck runs the demo; man page and completions in place"
