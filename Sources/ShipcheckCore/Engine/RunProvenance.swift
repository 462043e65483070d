public import Foundation

/// What a run ran: the configuration it resolved, the code it looked at, and where it belongs among
/// other runs (a sharded gate's group). Recorded with every run, so that a result can be traced
/// back and reused only for the same inputs.
public struct RunProvenance: Sendable, Hashable, Codable {
    /// SHA-256 of the configuration file's bytes, hex.
    public var configDigest: String?
    /// The commit checked out (`git rev-parse HEAD`), nil outside a repository.
    public var commit: String?
    /// When that commit was made (committer time), for lead time.
    public var commitTime: Date?
    /// Whether the work tree had changes not in `commit`.
    public var dirty: Bool?
    public var branch: String?
    /// The commit author's email, so that a sign-off rule can refuse self-approval.
    public var author: String? = nil
    /// How the run's actor was known (`--actor`, `SHIPCHECK_ACTOR`, git's user.email, …).
    public var actorSource: Identity.Source? = nil
    /// The CI's verified ID token's claims, when the actor came from one (`--identity oidc`).
    public var oidc: OIDCClaims? = nil
    /// A sharded gate's group (`--group`), and this run's share of it (`2/5`).
    public var group: String?
    public var shard: String?
    /// Why this run covers only part of its phase (`--only tests`, `--skip lint`, `shard 2/5 of group
    /// g`): a partial run is recorded and reported as such and never counts as the environment's gate.
    public var partial: String? = nil
    /// Records the policy counted for nothing in this run (a waiver by someone who may not bypass,
    /// a record that could not be read), each with why: named in every report.
    public var ignored: [String]? = nil
    /// The `shipcheck deploy` this run is a step of.
    public var deployment: String? = nil
    /// Where the phase's items this run left out came from (`CHECKLIST.md:14`; `--only`): a line of
    /// the source some of whose checks did not run is never ticked in the Markdown export.
    public var notRunSources: [String]? = nil

    public init(
        configDigest: String? = nil, commit: String? = nil, commitTime: Date? = nil, dirty: Bool? = nil,
        branch: String? = nil, group: String? = nil, shard: String? = nil
    ) {
        self.configDigest = configDigest
        self.commit = commit
        self.commitTime = commitTime
        self.dirty = dirty
        self.branch = branch
        self.group = group
        self.shard = shard
    }
}
