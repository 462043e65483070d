import Foundation
import OpenAPIKit
import OpenAPIKit30
import ShipcheckCore
import Yams

/// `openapi:` — the API document parses and validates, and its version moved when the API did.
struct OpenAPICheck: Check {
    var path: Template
    var since: Template?

    static let description = KindDescription(
        key: "openapi",
        name: "OpenAPI document",
        summary:
            "Parses an OpenAPI 3.0, 3.1 or 3.2 document (YAML or JSON) with OpenAPIKit and runs its validations. With `since`, compares the document with the same file at a git ref: when anything besides `info.version` changed, the version must have changed too.",
        parameters: [
            Parameter(
                "openapi",
                .object([
                    Parameter("path", .template, "The document, e.g. docs/openapi.yaml.", required: true),
                    Parameter(
                        "since", .template,
                        "A git ref to compare with (expects the version to move when the API changed)."),
                ]), "Which document.", required: true)
        ],
        facts: [
            FactDescription("openapi.valid", "boolean", "It parses and passes the validations."),
            FactDescription(
                "openapi.errors / openapi.error_list", "number / list", "Problems found, with where they are."),
            FactDescription("openapi.version", "string", "`info.version`."),
            FactDescription("openapi.spec", "string", "The `openapi` field (3.0.3, 3.1.0, …)."),
            FactDescription("openapi.paths / openapi.operations", "number", "Paths and operations."),
            FactDescription("openapi.api_changed / openapi.version_changed", "boolean", "Against `since`."),
            FactDescription("openapi.previous_version", "string", "`info.version` at `since`."),
        ],
        examples: [
            KindExample(
                "a valid document",
                yaml: """
                    id: api-docs
                    title: API documentation updated
                    openapi: { path: openapi.yaml }
                    """, outcome: .pass,
                facts: [
                    "openapi.valid": .bool(true), "openapi.version": .string("1.2.3"), "openapi.operations": .number(1),
                ],
                files: [
                    "openapi.yaml": """
                    openapi: 3.1.0
                    info: { title: Mina, version: 1.2.3 }
                    paths:
                      /health:
                        get:
                          operationId: health
                          responses:
                            '200': { description: Healthy }

                    """
                ]),
            KindExample(
                "an invalid document",
                yaml: """
                    id: api-docs
                    title: API documentation updated
                    openapi: { path: openapi.yaml }
                    """, outcome: .fail, facts: ["openapi.valid": .bool(false)],
                files: ["openapi.yaml": "openapi: 3.0.3\ninfo: { title: Mina }\npaths: {}\n"]),
        ],
        make: make)

    static func make(_ reader: KindReader) -> (any Check)? {
        guard let node = reader["openapi"], let fields = node.fields(allowed: ["path", "since"]) else { return nil }
        guard let pathNode = fields["path"] else {
            node.report("missing `path:`")
            return nil
        }
        guard let path = pathNode.template(knownVars: reader.knownVariables) else { return nil }
        return OpenAPICheck(
            path: path, since: fields["since"].flatMap { $0.template(knownVars: reader.knownVariables) })
    }

    var defaultExpectations: [FactExpression] {
        var list: [FactExpression] = [.fact("openapi.valid")]
        if since != nil { list.append(FactExpression.builtIn("not openapi.api_changed or openapi.version_changed")) }
        return list
    }

    var summary: String { "openapi \(path)" + (since.map { " against \($0)" } ?? "") }

    struct Parsed {
        var errors: [String] = []
        var version: String?
        var spec: String?
        var paths = 0
        var operations = 0
        var canonical: String?
    }

    static func parse(_ text: String) -> Parsed {
        var parsed = Parsed()
        let tree: Any?
        do {
            tree = try Yams.load(yaml: text)
        } catch {
            parsed.errors = ["not valid YAML or JSON: \(error)"]
            return parsed
        }
        guard var root = tree as? [String: Any] else {
            parsed.errors = ["the document is not a mapping"]
            return parsed
        }
        parsed.spec = root["openapi"].map { "\($0)" }
        parsed.version = (root["info"] as? [String: Any])?["version"].map { "\($0)" }
        if root["swagger"] != nil {
            parsed.errors = ["Swagger 2.0 documents are not supported; convert to OpenAPI 3"]
            return parsed
        }
        if var info = root["info"] as? [String: Any] {
            info["version"] = nil
            root["info"] = info
        }
        if let data = try? JSONSerialization.data(withJSONObject: root, options: [.sortedKeys]) {
            parsed.canonical = String(decoding: data, as: UTF8.self)
        }
        let decoder = YAMLDecoder()
        do {
            if parsed.spec?.hasPrefix("3.0") == true {
                let document = try decoder.decode(OpenAPIKit30.OpenAPI.Document.self, from: text)
                parsed.paths = document.paths.count
                parsed.operations = document.routes.reduce(0) { $0 + $1.pathItem.endpoints.count }
                do { try document.validate() } catch let collection as OpenAPIKit30.ValidationErrorCollection {
                    parsed.errors = collection.values.map(\.description)
                }
            } else {
                let document = try decoder.decode(OpenAPIKit.OpenAPI.Document.self, from: text)
                parsed.paths = document.paths.count
                parsed.operations = document.routes.reduce(0) { $0 + $1.pathItem.endpoints.count }
                do { _ = try document.validate() } catch let collection as OpenAPIKit.ValidationErrorCollection {
                    parsed.errors = collection.values.map(\.description)
                }
            }
        } catch {
            parsed.errors.append(OpenAPIKit.OpenAPI.Error(from: error).localizedDescription)
        }
        return parsed
    }

    func run(in context: CheckContext) async throws(CheckError) -> Facts {
        let relative = try context.expand(path, quoting: .none)
        guard let text = try? String(contentsOf: context.resolve(relative), encoding: .utf8) else {
            throw CheckError("cannot read the OpenAPI document `\(relative)`")
        }
        let parsed = Self.parse(text)
        var facts: Facts = [
            "openapi.valid": .bool(parsed.errors.isEmpty),
            "openapi.errors": .number(Double(parsed.errors.count)),
            "openapi.error_list": .list(parsed.errors.prefix(20).map(Value.string)),
            "openapi.paths": .number(Double(parsed.paths)),
            "openapi.operations": .number(Double(parsed.operations)),
        ]
        if let version = parsed.version { facts["openapi.version"] = .string(version) }
        if let spec = parsed.spec { facts["openapi.spec"] = .string(spec) }
        if let since {
            let ref = try context.expand(since, quoting: .none)
            let previous: (status: Int32, stdout: String, stderr: String)
            do {
                previous = try await GitInfo.git(
                    ["show", "\(ref):./\(relative)"], in: context.workingDirectory,
                    environment: context.environment)
            } catch {
                throw CheckError("could not run git: \(error)")
            }
            if previous.status == 0 {
                let old = Self.parse(previous.stdout)
                facts["openapi.api_changed"] = .bool(old.canonical != parsed.canonical)
                facts["openapi.version_changed"] = .bool(old.version != parsed.version)
                if let version = old.version { facts["openapi.previous_version"] = .string(version) }
            } else {
                // A new document: the API is new, so it changed, and so did the version.
                facts["openapi.api_changed"] = .bool(true)
                facts["openapi.version_changed"] = .bool(true)
            }
        }
        return facts
    }
}
