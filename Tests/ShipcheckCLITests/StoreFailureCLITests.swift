import Foundation
import ShipcheckTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The store going away in the middle of a run: the run ends with its verdict and exit 2, never a
/// hang and never "Gate passed"; what it decided is kept in the spool, written by the next run, and
/// the audit chain holds.
@Suite(.serialized) struct StoreFailureCLITests {
    /// Forty items of a quarter second each, two at a time: a run of about five seconds.
    static let config: String = {
        var text = "version: 1\nphases:\n  pre-deploy:\n    items:\n"
        for index in 1...40 {
            text += "      - { id: item-\(index), title: Item \(index), run: \"sleep 0.25; echo \(index)\" }\n"
        }
        return text
    }()

    static func runID(_ output: CLI.Output) -> String? {
        let text = output.stdout + output.stderr
        guard let range = text.range(of: #"recording run (\S+)"#, options: .regularExpression) else { return nil }
        return String(text[range].dropFirst("recording run ".count))
    }

    /// A PostgreSQL cluster of this test's own (stopping the shared one would fail other tests).
    struct PrivatePostgres {
        let directory: String
        let port: Int
        let bin: String

        var url: String { "postgres://postgres@127.0.0.1:\(port)/postgres" }

        static func start(in scratch: URL) throws -> PrivatePostgres? {
            let found = try CLI.shell("ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1", in: scratch)
            let version = found.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !version.isEmpty else { return nil }
            let bin = "/usr/lib/postgresql/\(version)/bin"
            let free = try CLI.shell(
                "python3 -c 'import socket; s = socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])'",
                in: scratch)
            guard let port = Int(free.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
            let directory = scratch.appendingPathComponent("pg").path
            let setup = try CLI.shell(
                """
                mkdir -p '\(directory)' && chown postgres '\(directory)' '\(scratch.path)' \
                && su postgres -s /bin/sh -c "\(bin)/initdb -D '\(directory)' -U postgres --auth=trust --no-sync" > /dev/null
                """, in: scratch)
            guard setup.status == 0 else { return nil }
            let postgres = PrivatePostgres(directory: directory, port: port, bin: bin)
            guard try postgres.control("start").status == 0 else { return nil }
            return postgres
        }

        /// `pg_ctl start` or `stop -m immediate`, as a shell command line.
        func command(_ action: String) -> String {
            let options = "-p \(port) -k '\(directory)' -c listen_addresses=127.0.0.1 -c fsync=off"
            let control =
                action == "start"
                ? "\(bin)/pg_ctl -D '\(directory)' -l '\(directory)/log' -w -t 30 -o \\\"\(options)\\\" start"
                : "\(bin)/pg_ctl -D '\(directory)' -w -t 30 -m immediate stop"
            return "su postgres -s /bin/sh -c \"\(control)\""
        }

        func control(_ action: String) throws -> CLI.Output {
            try CLI.shell(command(action), in: URL(fileURLWithPath: "/"))
        }

        func ready() throws -> Bool {
            try CLI.shell("\(bin)/pg_isready -q -h 127.0.0.1 -p \(port) -t 20", in: URL(fileURLWithPath: "/")).status
                == 0
        }
    }

    @Test func postgresStoppedMidRunEndsTheRunAndTheSpoolIsWrittenAfter() throws {
        guard Services.url("POSTGRES") != nil else { return }
        let scratch = try CLI.temporaryDirectory()
        guard let postgres = try PrivatePostgres.start(in: scratch) else {
            Issue.record("could not start a private PostgreSQL in \(scratch.path)")
            return
        }
        defer { _ = try? postgres.control("stop") }
        let directory = try CLI.temporaryDirectory(with: Self.config)
        let environment = ["SHIPCHECK_STORE": postgres.url, "SHIPCHECK_STORE_TIMEOUT": "5"]
        #expect(try CLI.run(["run", "--only", "item-1"], in: directory, environment: environment).status == 0)

        // Stop the server two seconds into the run, start it again two seconds later.
        let bounce = try CLI.shell(
            "(sleep 2; \(postgres.command("stop")); sleep 2; \(postgres.command("start"))) > /dev/null 2>&1 < /dev/null &",
            in: scratch)
        #expect(bounce.status == 0)
        let started = Date()
        let run = try CLI.run(["run", "--jobs", "2"], in: directory, environment: environment)
        let took = Date().timeIntervalSince(started)
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        #expect(!run.stdout.contains("Gate passed"), "\(run.stdout)")
        #expect(run.stdout.contains("Gate not recorded: every item passed"), "\(run.stdout)")
        #expect(took < 5 + 20, "the run ended within its items' time and the store's deadline (\(took)s)")
        let id = try #require(Self.runID(run), "\(run.stderr)")
        let spool = directory.appendingPathComponent(".shipcheck/spool/\(id).jsonl")
        #expect(FileManager.default.fileExists(atPath: spool.path), "the results are kept in the spool")

        // The server came back during the run; the run did not wait for it.
        Thread.sleep(forTimeInterval: max(0, 4.5 - took))
        #expect(try postgres.ready(), "the private PostgreSQL is back")
        let next = try CLI.run(["run", "--only", "item-1"], in: directory, environment: environment)
        #expect(next.status == 0, "\(next.stdout)\(next.stderr)")
        #expect(next.stderr.contains("wrote 1 run kept in"), "\(next.stderr)")
        #expect(!FileManager.default.fileExists(atPath: spool.path))
        let shown = try CLI.run(["show", id, "--format", "json"], in: directory, environment: environment)
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(
            shown.stdout.components(separatedBy: "\"outcome\" : \"pass\"").count - 1 == 40,
            "\(shown.stdout.prefix(400))")
        let verified = try CLI.run(["audit", "verify"], in: directory, environment: environment)
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
    }

    @Test func anSQLiteStoreOnAFullDiskEndsTheRunAndTheSpoolIsWrittenAfter() throws {
        let mountPoint = try CLI.temporaryDirectory()
        let mounted = try CLI.shell("mount -t tmpfs -o size=2m tmpfs '\(mountPoint.path)'", in: mountPoint)
        guard mounted.status == 0 else {
            // A kernel capability, not a server .ci/run could start: said loudly, not failed.
            let message = "a full disk needs a tmpfs mount (root with CAP_SYS_ADMIN): \(mounted.stderr)"
            Skips.record(message)
            return
        }
        defer { _ = try? CLI.shell("umount -l '\(mountPoint.path)'", in: URL(fileURLWithPath: "/")) }
        let directory = try CLI.temporaryDirectory(with: Self.config)
        let store = mountPoint.appendingPathComponent("shipcheck.db").path
        #expect(try CLI.run(["run", "--only", "item-1", "--store", store], in: directory).status == 0)
        // The disk fills up a second into the run.
        _ = try CLI.shell(
            "(sleep 1; dd if=/dev/zero of='\(mountPoint.path)/fill' bs=64k) > /dev/null 2>&1 < /dev/null &",
            in: mountPoint)
        let run = try CLI.run(["run", "--jobs", "2", "--store", store], in: directory)
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        #expect(!run.stdout.contains("Gate passed"), "\(run.stdout)")
        #expect(run.stderr.contains("database or disk is full"), "\(run.stderr)")
        let id = try #require(Self.runID(run), "\(run.stderr)")
        #expect(
            FileManager.default.fileExists(
                atPath: directory.appendingPathComponent(".shipcheck/spool/\(id).jsonl").path))

        _ = try CLI.shell("rm -f '\(mountPoint.path)/fill'", in: mountPoint)
        let next = try CLI.run(["run", "--only", "item-1", "--store", store], in: directory)
        #expect(next.status == 0 && next.stderr.contains("wrote 1 run kept in"), "\(next.stdout)\(next.stderr)")
        let shown = try CLI.run(["show", id, "--format", "json", "--store", store], in: directory)
        #expect(shown.stdout.components(separatedBy: "\"outcome\" : \"pass\"").count - 1 == 40)
        #expect(try CLI.run(["audit", "verify", "--store", store], in: directory).status == 0)
    }
}
