import ArgumentParser
import Foundation
import ShipcheckApp
import ShipcheckChecks
import ShipcheckCore

struct ConfigOptions: ParsableArguments {
    @Option(
        name: [.short, .long], help: "The configuration file (default: shipcheck.yml here or in a parent directory).",
        completion: .file(extensions: ["yml", "yaml"]))
    var config: String?

    func configURL() throws -> URL {
        if let config { return URL(fileURLWithPath: config) }
        let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        guard let found = ConfigLoader.discover(from: here) else {
            throw CommandFailure(
                "no shipcheck.yml in \(here.path) or its parents; pass --config PATH or run `shipcheck init`", .usage)
        }
        return found
    }

    /// Loads the configuration, or prints every problem and exits 64.
    func load() throws -> (Checklist, URL) {
        let url = try configURL()
        do {
            return (try ConfigLoader(kinds: CheckKinds.all).load(file: url), url)
        } catch {
            Console.note(error.description)
            throw ExitCode.usageFailure
        }
    }

    /// The decisions service over the loaded configuration and the store the options name.
    func decisions(_ storeOptions: StoreOptions, signing: SigningOptions? = nil) throws -> Decisions {
        let (checklist, url) = try load()
        return Decisions.recordedIn(
            storeFlag: storeOptions.store, checklist: checklist, configURL: url,
            processEnvironment: ProcessInfo.processInfo.environment, signingKey: signing?.key)
    }
}

/// The SSH key a decision is signed with.
struct SigningOptions: ParsableArguments {
    @Option(
        name: .long,
        help:
            "Sign with this SSH key (a private key, or a public key ssh-agent holds the private half of); default SHIPCHECK_SIGNING_KEY, then git's user.signingkey when gpg.format is ssh and an allowed_signers file exists."
    )
    var key: String?
}
