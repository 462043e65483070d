/// Who acts (runs a gate, signs, waives, freezes), and how that is known: every decision records both,
/// so that an audit can tell a typed `--actor` from a signed-in user.
public struct Identity: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Source: String, Sendable, Hashable, Codable {
        /// Named on the command line with `--actor`.
        case flag = "--actor"
        /// `SHIPCHECK_ACTOR` in the process environment.
        case environment = "SHIPCHECK_ACTOR"
        /// git's `user.email` where the configuration lives.
        case git = "git user.email"
        /// The login name and host, when nothing else says.
        case login = "login name"
        /// Recorded by an earlier run (a resumed run keeps its actor).
        case resumed = "resumed run"
        /// Signed in to the team server.
        case server = "signed in"
        /// The CI's OpenID Connect ID token, verified (`--identity oidc`).
        case oidc = "OIDC token"
    }

    public var name: String
    public var source: Source

    public init(_ name: String, source: Source) {
        self.name = name
        self.source = source
    }

    /// `alice@mina.com (git user.email)`.
    public var description: String { "\(name) (\(source.rawValue))" }
}
