#!/usr/bin/env bash
# Release artifacts of shipcheck VERSION, in dist/:
#   shipcheck-VERSION-linux-ARCH.tar.gz   the static, stripped binary, its man page, bash/zsh/fish completions
#   shipcheck_VERSION_DEBARCH.deb         the same, installed to /usr/bin and /usr/share
#   SHA256SUMS
# The binary links the Swift runtime and Foundation statically (--static-swift-stdlib): it needs
# glibc, libgcc, libsqlite3 and zlib (C++'s library is linked in too), nothing of the toolchain. Only this machine's
# architecture is built: the toolchain here has no cross-compilation SDK.
#   scripts/release.sh 1.2.3
set -euo pipefail
version=${1:?usage: scripts/release.sh VERSION (e.g. 1.2.3)}
[[ "$version" =~ ^[0-9][0-9A-Za-z.+~-]*$ ]] || { echo "release: VERSION must start with a digit (Debian's rule): $version" >&2; exit 64; }
cd "$(dirname "$0")/.."
arch=$(uname -m)
case "$arch" in x86_64) debarch=amd64 ;; aarch64) debarch=arm64 ;; *) debarch=$arch ;; esac
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
[ -z "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] || commit="$commit-dirty"

# The version and commit, for this build only.
info=Sources/ShipcheckCore/Support/BuildInfo.swift
saved=$(mktemp)
cp "$info" "$saved"
trap 'cp "$saved" "$info"; rm -f "$saved"' EXIT
cat > "$info" <<SWIFT
// scripts/release.sh writes the release's version and commit here for its build, then restores this file.
enum BuildInfo {
    static let version = "$version"
    static let commit: String? = "$commit"
}
SWIFT
# Start-up: not position-independent (a PIE of this size applies 150,000 relocations at every
# start), no dynamic symbol table of our own (the toolchain exports 59,000 symbols, which the
# loader and the runtime's dladdr walk), and libstdc++ linked in (one library fewer to load and
# relocate): --version went from 11 ms to about 2. The toolchain names `-lstdc++` itself, so a
# folder holding only the static archive goes first on the library path (a fixed one: a flag that
# changes would rebuild every module).
static_cxx="$PWD/.build/static-cxx"
mkdir -p "$static_cxx"
cxx_archive=$("$(dirname "$(command -v swift)")/clang" -print-file-name=libstdc++.a)
[ -f "$cxx_archive" ] || { echo "release: libstdc++.a not found (Debian package libstdc++-12-dev)" >&2; exit 1; }
ln -sf "$cxx_archive" "$static_cxx/libstdc++.a"
link_flags=(-Xlinker -no-pie -Xlinker --no-export-dynamic -Xswiftc -L -Xswiftc "$static_cxx")
swift build -c release --static-swift-stdlib "${link_flags[@]}" --product shipcheck >&2
built="$(swift build -c release --static-swift-stdlib "${link_flags[@]}" --show-bin-path)/shipcheck"
cp "$saved" "$info"

name="shipcheck-$version-linux-$arch"
rm -rf "dist/$name" "dist/deb"
mkdir -p "dist/$name/completions" "dist/$name/man"
strip -o "dist/$name/shipcheck" "$built"
"dist/$name/shipcheck" --generate-completion-script bash > "dist/$name/completions/shipcheck.bash"
"dist/$name/shipcheck" --generate-completion-script zsh > "dist/$name/completions/_shipcheck"
"dist/$name/shipcheck" --generate-completion-script fish > "dist/$name/completions/shipcheck.fish"
"dist/$name/shipcheck" man > "dist/$name/man/shipcheck.1"
cp README.md "dist/$name/"
tar -C dist -czf "dist/$name.tar.gz" "$name"

# The Debian package: the same files where Debian keeps them.
root="dist/deb/root"
install -D -m 755 "dist/$name/shipcheck" "$root/usr/bin/shipcheck"
install -D -m 644 "dist/$name/completions/shipcheck.bash" "$root/usr/share/bash-completion/completions/shipcheck"
install -D -m 644 "dist/$name/completions/_shipcheck" "$root/usr/share/zsh/vendor-completions/_shipcheck"
install -D -m 644 "dist/$name/completions/shipcheck.fish" "$root/usr/share/fish/vendor_completions.d/shipcheck.fish"
install -d "$root/usr/share/man/man1"
gzip -9n < "dist/$name/man/shipcheck.1" > "$root/usr/share/man/man1/shipcheck.1.gz"
install -D -m 644 README.md "$root/usr/share/doc/shipcheck/README.md"
install -d "$root/DEBIAN"
cat > "$root/DEBIAN/control" <<CONTROL
Package: shipcheck
Version: $version
Architecture: $debarch
Maintainer: Shipcheck <shipcheck@localhost>
Depends: libc6 (>= 2.31), libgcc-s1, libsqlite3-0, zlib1g
Section: devel
Priority: optional
Installed-Size: $(du -sk "$root/usr" | cut -f1)
Description: deployment checklists as an executable, audited gate
 Shipcheck runs the checks a machine can verify, collects named sign-offs for the
 rest, records every run in a tamper-evident store, and deploys as a pipeline.
CONTROL
dpkg-deb --root-owner-group --build "$root" "dist/shipcheck_${version}_$debarch.deb" >&2
rm -rf dist/deb

(cd dist && sha256sum "$name.tar.gz" "shipcheck_${version}_$debarch.deb" > SHA256SUMS)
echo "dist/$name.tar.gz"
echo "dist/shipcheck_${version}_$debarch.deb"
echo "dist/SHA256SUMS"
