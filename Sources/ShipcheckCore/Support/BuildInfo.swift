// scripts/release.sh writes the release's version and commit here for its build, then restores this file.
enum BuildInfo {
    static let version = "0.1.0"
    static let commit: String? = nil
}
