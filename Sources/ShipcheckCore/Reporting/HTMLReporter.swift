import Foundation

/// One self-contained page for a person and for CI to keep as an artifact: the run, each item's
/// outcome, the expectation that failed and its evidence. Styles are inline; nothing is fetched.
public struct HTMLReporter: Reporter {
    public static let format = "html"
    public static let fileName: String? = "shipcheck.html"

    public init() {}

    static let style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:70em;padding:0 1em;color:#1d1d1f}
        h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.1em;margin:1.6em 0 .4em;border-bottom:1px solid #ddd}
        table{border-collapse:collapse;width:100%}td,th{text-align:left;vertical-align:top;padding:.35em .6em;border-bottom:1px solid #eee}
        .meta td:first-child{color:#666;width:10em}.badge{display:inline-block;padding:.1em .6em;border-radius:1em;font-weight:600;color:#fff}
        .pass,.passed{background:#1a7f37}.fail,.failed,.error{background:#cf222e}.warn,.pending,.interrupted{background:#bf8700}
        .skipped{background:#6e7781}.waived{background:#8250df}pre{background:#f6f8fa;padding:.6em;overflow:auto;max-height:24em;margin:.4em 0;white-space:pre-wrap}
        .why{color:#cf222e}.small{color:#666;font-size:.9em}
        """

    public func render(_ run: RunResult) -> String {
        let verdict = run.verdict.rawValue
        var body = "<h1>Shipcheck \(e(run.phase.rawValue))\(run.project.map { " — " + e($0) } ?? "") "
        body += "<span class=\"badge \(verdict)\">\(verdict)</span></h1>\n"
        var meta: [(String, String?)] = [
            ("Run", run.runID), ("Environment", run.environment), ("Deploy type", run.deployType),
            ("By", run.actorDescription),
            ("Started", Text.iso8601(run.startedAt)), ("Duration", Value.formatDuration(run.duration)),
            ("Release", run.release), ("Configuration", run.config),
        ]
        if let provenance = run.provenance {
            meta += [
                ("Commit", provenance.commit.map { $0 + (provenance.dirty == true ? " (work tree changed)" : "") }),
                ("Branch", provenance.branch),
                ("Group", provenance.group.map { $0 + (provenance.shard.map { " " + $0 } ?? "") }),
            ]
        }
        meta += run.caveats.map { ("Note", $0) }
        let counts = Outcome.allCases.map { ($0, run.count($0)) }.filter { $0.1 > 0 }
        meta.append(("Items", counts.map { "\($0.1) \($0.0.rawValue)" }.joined(separator: ", ")))
        body += Self.metaTable(meta) + items(run)
        body += "<p class=\"small\">shipcheck \(e(run.toolVersion))</p>\n"
        return Self.page(title: "Shipcheck \(run.phase.rawValue) \(run.runID): \(verdict)", body: body)
    }

    /// A whole self-contained page around `body`.
    public static func page(title: String, body: String) -> String {
        var out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        out += "<title>\(Text.xmlEscape(title))</title>"
        out += "<style>\(Self.style)</style></head><body>\n"
        return out + body + "</body></html>\n"
    }

    /// Name and value rows; rows without a value are left out.
    public static func metaTable(_ rows: [(String, String?)]) -> String {
        var out = "<table class=\"meta\">"
        for case (let name, let value?) in rows {
            out += "<tr><td>\(Text.xmlEscape(name))</td><td>\(Text.xmlEscape(value))</td></tr>"
        }
        return out + "</table>\n"
    }

    /// The run's items by section: outcome, what failed and why, sign-offs, waivers, evidence.
    /// `anchor` prefixes each item's id in the page (`item-ID`; a page of several runs says which).
    public func items(_ run: RunResult, anchor: String = "item-") -> String {
        var out = ""
        var section: String?
        for item in run.items {
            if item.section != section {
                if section != nil { out += "</table>\n" }
                section = item.section
                out += "<h2>\(e(item.section))</h2>\n<table>"
            }
            out += "<tr id=\"\(e(anchor))\(e(item.id))\"><td><span class=\"badge \(item.outcome.rawValue)\">"
            out += "\(item.outcome.rawValue)</span></td><td><strong>\(e(item.title))</strong> "
            out += "<span class=\"small\">\(e(item.id)) · \(e(item.kind))"
            if item.duration > 0 { out += " · \(e(Value.formatDuration(item.duration)))" }
            if item.attempts > 1 { out += " · \(item.attempts) attempts" }
            out += "</span>"
            // A failed expectation is stated once, by its explanation (`coverage.percent = 4.84, expected
            // >= 80`), which is also what the reason joins: the reason only for what no expectation says.
            let failed = item.expectations.filter { $0.held != true }
            if let reason = item.reason, failed.allSatisfy(\.explanation.isEmpty) {
                out += "<div class=\"why\">\(e(reason))</div>"
            }
            for expectation in failed {
                let stated =
                    expectation.explanation.isEmpty ? ["expected " + expectation.expression] : expectation.explanation
                out += "<div class=\"why\" title=\"\(e(expectation.expression))\">"
                out += expectation.held == nil ? "could not be evaluated: " : ""
                out += stated.map(e).joined(separator: "<br>") + "</div>"
            }
            // A command keeps its lines.
            if let summary = item.summary {
                out +=
                    summary.contains("\n")
                    ? "<pre class=\"small\">\(e(summary))</pre>"
                    : "<div class=\"small\"><code>\(e(summary))</code></div>"
            }
            for signoff in item.signoffs {
                out +=
                    "<div class=\"small\">signed off by \(e(signoff.actor))\(signoff.role.map { " as " + e($0) } ?? "") at \(Text.iso8601(signoff.at))"
                out += (signoff.note.map { ": " + e($0) } ?? "") + "</div>"
            }
            if let waiver = item.waiver {
                out += "<div class=\"small\">waived by \(e(waiver.actor)): \(e(waiver.reason))</div>"
            }
            if item.outcome != .pass && item.outcome != .skipped {
                for key in ["stderr", "stdout", "body"] {
                    if case .string(let text) = item.facts[key], !text.isEmpty {
                        out += "<details><summary class=\"small\">\(key)</summary><pre>\(e(text))</pre></details>"
                    }
                }
            }
            out += "</td></tr>\n"
        }
        if section != nil { out += "</table>\n" }
        return out
    }

    private func e(_ text: String) -> String { Text.xmlEscape(text) }
}
