import Foundation
import ShipcheckCore

/// Asks at the terminal whether a manual item is done, one item at a time, and records who answered.
actor InteractiveSignoffs: SignoffSource {
    let actor: Identity
    let progress: Progress
    let now: @Sendable () -> Date

    init(actor: Identity, progress: Progress, now: @escaping @Sendable () -> Date) {
        self.actor = actor
        self.progress = progress
        self.now = now
    }

    func signoffs(for item: Item) async -> [Signoff] {
        progress.pause()
        defer { progress.resume() }
        var prompt = "\n? \(item.id) — \(item.title)\n"
        if let description = item.description {
            prompt += description.split(separator: "\n").map { "    \($0)\n" }.joined()
        }
        prompt += "  done? [y/N] "
        Console.out(prompt, terminator: "")
        guard let answer = await Self.readLine(), ["y", "yes"].contains(answer.lowercased()) else { return [] }
        Console.out("  note (optional): ", terminator: "")
        let note = await Self.readLine().flatMap { $0.isEmpty ? nil : $0 }
        return [Signoff(actor: actor.name, note: note, at: now(), via: actor.source)]
    }

    /// Reads a line off the cooperative pool, so that running checks keep their threads.
    static func readLine() async -> String? {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: Swift.readLine()?.trimmingCharacters(in: .whitespaces)) }.start()
        }
    }
}
