import Foundation
import ShipcheckCore

/// Load tests, page audits and accessibility scans.
enum QualityReports {
    /// k6's `--summary-export` (metrics.X.p(95)) and handleSummary (metrics.X.values.p(95)) shapes.
    static func k6(_ document: JSONDocument) throws(CheckError) -> Facts {
        let root = try document.object(document.root, "$")
        let metrics = try document.object(root["metrics"], "metrics")
        var facts: Facts = [:]
        var passed = 0
        var failed = 0
        for (name, value) in metrics {
            let metric = try document.object(value, "metrics.\(name)")
            let values = (metric["values"] as? [String: Any]) ?? metric
            let isTime =
                (metric["contains"] as? String) == "time" || name.hasSuffix("_duration")
                || name.hasPrefix("http_req_")
                    && !name.hasSuffix("failed") && !name.hasSuffix("reqs")
            for (key, raw) in values {
                guard let number = raw as? NSNumber, !(raw is Bool) else { continue }
                let label = key.replacingOccurrences(of: "p(", with: "p").replacingOccurrences(of: ")", with: "")
                    .replacingOccurrences(of: ".", with: "_")
                let fact = "\(name).\(label)"
                if isTime, label != "count", label != "rate" {
                    facts[fact] = .duration(number.doubleValue / 1000)
                } else {
                    facts[fact] = .number(number.doubleValue)
                }
            }
            if name.hasSuffix("_failed") || name == "checks",
                let rate = (values["rate"] ?? values["value"]) as? NSNumber
            {
                facts["\(name).rate"] = .number(rate.doubleValue)
            }
            if let thresholds = metric["thresholds"] as? [String: Any] {
                for (_, result) in thresholds {
                    // summary-export: true means the threshold was crossed; handleSummary: {"ok": bool}.
                    let ok = (result as? [String: Any]).flatMap { $0["ok"] as? Bool } ?? !((result as? Bool) ?? false)
                    if ok { passed += 1 } else { failed += 1 }
                }
            }
        }
        facts["thresholds.passed"] = .number(Double(passed))
        facts["thresholds.failed"] = .number(Double(failed))
        return facts
    }

    static func lighthouse(_ document: JSONDocument) throws(CheckError) -> Facts {
        let root = try document.object(document.root, "$")
        let categories = try document.object(root["categories"], "categories")
        var facts: Facts = [:]
        for (id, value) in categories {
            let category = try document.object(value, "categories.\(id)")
            // A category that could not be scored has a null score: an error, not a zero.
            guard let score = category["score"] as? NSNumber else {
                throw CheckError(
                    "Lighthouse report \(document.source): category `\(id)` has no score (the audit failed)")
            }
            facts["lighthouse.\(id)"] = .number((score.doubleValue * 1000).rounded() / 10)
        }
        if let url = root["finalDisplayedUrl"] as? String ?? root["finalUrl"] as? String {
            facts["lighthouse.url"] = .string(url)
        }
        return facts
    }

    /// axe-core results, or a list of them (axe CLI writes one per page).
    static func axe(_ document: JSONDocument) throws(CheckError) -> Facts {
        let pages: [Any] = (document.root as? [Any]) ?? [document.root]
        var facts: Facts = [:]
        for impact in ["critical", "serious", "moderate", "minor"] { facts["violations." + impact] = .number(0) }
        var total = 0
        var nodes = 0
        var rules: [String] = []
        for (pageIndex, page) in pages.enumerated() {
            let object = try document.object(page, "[\(pageIndex)]")
            let violations = try document.array(object["violations"], "[\(pageIndex)].violations")
            for (index, violation) in violations.enumerated() {
                let entry = try document.object(violation, "[\(pageIndex)].violations[\(index)]")
                total += 1
                nodes += (entry["nodes"] as? [Any])?.count ?? 0
                if let impact = entry["impact"] as? String { facts.count([impact], prefix: "violations.") }
                if let id = entry["id"] as? String { rules.append(id) }
            }
        }
        facts["violations.total"] = .number(Double(total))
        facts["violations.nodes"] = .number(Double(nodes))
        facts["violations.rules"] = .list(Array(Set(rules)).sorted().map(Value.string))
        return facts
    }
}
