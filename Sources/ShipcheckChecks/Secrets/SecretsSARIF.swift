import Foundation

/// Findings as SARIF 2.1.0, for code-scanning views. Secrets stay masked.
public enum SecretsSARIF {
    public static func render(_ findings: [SecretFinding], toolVersion: String) -> String {
        let rules =
            SecretRules.all.map { ["id": $0.id, "shortDescription": ["text": $0.summary]] as [String: Any] }
            + [
                ["id": "high-entropy-base64", "shortDescription": ["text": "High-entropy base64 string"]],
                ["id": "high-entropy-hex", "shortDescription": ["text": "High-entropy hex string"]],
            ]
        let results: [[String: Any]] = findings.map { finding in
            [
                "ruleId": finding.rule,
                "level": "error",
                "message": ["text": "\(finding.rule): \(finding.masked)"],
                "partialFingerprints": ["secretFingerprint/v1": finding.fingerprint],
                "locations": [
                    [
                        "physicalLocation": [
                            "artifactLocation": ["uri": finding.file],
                            "region": ["startLine": max(1, finding.line)],
                        ]
                    ]
                ],
            ]
        }
        let document: [String: Any] = [
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [
                [
                    "tool": ["driver": ["name": "shipcheck-secrets", "version": toolVersion, "rules": rules]],
                    "results": results,
                ]
            ],
        ]
        let data =
            (try? JSONSerialization.data(
                withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
