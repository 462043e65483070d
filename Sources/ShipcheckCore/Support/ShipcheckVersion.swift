public enum ShipcheckVersion {
    /// The version runs and reports record.
    public static let current = BuildInfo.version

    /// What `--version` prints: the version and the commit it was built from, when a release build says.
    public static var description: String {
        BuildInfo.commit.map { "\(current) (commit \($0))" } ?? "\(current) (built from source)"
    }
}
