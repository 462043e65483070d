import ShipcheckStore

/// Opens a store, runs `body`, and closes it: failing to open it, or a store error in `body`, is
/// "could not evaluate"; a `CommandFailure` from `body` stands as it is.
func withStore<T: Sendable>(_ open: () async throws -> RunStore, _ body: (RunStore) async throws -> T)
    async throws(CommandFailure) -> T
{
    let store: RunStore
    do {
        store = try await open()
    } catch {
        throw CommandFailure("\(error)", .couldNotEvaluate)
    }
    do {
        let value = try await body(store)
        try? await store.backend.close()
        return value
    } catch let failure as CommandFailure {
        try? await store.backend.close()
        throw failure
    } catch {
        try? await store.backend.close()
        throw CommandFailure("\(error)", .couldNotEvaluate)
    }
}

/// Why a command did not do what it was asked, said once, with the exit status it maps to: the
/// executable maps a failure to its exit in one place, whichever service raised it.
public struct CommandFailure: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable {
        /// A usage or configuration problem (64).
        case usage
        /// The policy said no: a refused deploy, someone without the role (1).
        case refused
        /// Something could not be evaluated or recorded: the store failed (2).
        case couldNotEvaluate
    }

    public var messages: [String]
    public var kind: Kind

    public init(_ messages: [String], _ kind: Kind) {
        self.messages = messages
        self.kind = kind
    }

    public init(_ message: String, _ kind: Kind) {
        self.init([message], kind)
    }

    public var exitCode: Int32 {
        switch kind {
        case .usage: 64
        case .refused: 1
        case .couldNotEvaluate: 2
        }
    }

    public var description: String { messages.joined(separator: "\n") }
}

/// Why a gate could not start: the same failure, as `GateRunner` names it.
public typealias GateFailure = CommandFailure

extension CommandFailure {
    /// `usage` problems exit 64, `refused` 1, the rest 2.
    init(_ messages: [String], usage: Bool, refused: Bool = false) {
        self.init(messages, usage ? .usage : refused ? .refused : .couldNotEvaluate)
    }

    public var usage: Bool { kind == .usage }
    public var refused: Bool { kind == .refused }
}
