import CYaml

/// One YAML document read from libyaml's events into flat arrays: a node is an index, so handing
/// nodes around costs nothing, and a key path is worked out only when a problem is reported.
/// Aliases are written out where they are used, against the load's node budget.
final class YAMLDocument {
    enum Kind: UInt8 {
        case scalar, mapping, sequence
    }

    /// How a scalar was written; `tagged` is a plain scalar with an explicit tag (`!!str 5`).
    enum Style: UInt8 {
        case plain, singleQuoted, doubleQuoted, literal, folded, tagged
    }

    struct Node {
        var kind: Kind
        var style: Style
        var line: Int32
        var column: Int32
        /// The collection holding this node (-1 for the root) and the node's place in its
        /// children: a mapping's children are key, value, key, value, ….
        var parent: Int32
        var slot: Int32
        /// A scalar's text in `strings`; a collection's children in `children`.
        var start: Int32
        var count: Int32
    }

    let file: String
    /// Where the load's readers report what they find in this document.
    let sink: DiagnosticSink
    private(set) var nodes: [Node] = []
    private(set) var strings: [String] = []
    private(set) var children: [Int32] = []
    private(set) var root: Int32 = -1

    /// A problem found while reading: its message and where.
    struct Problem: Error {
        var message: String
        var line: Int
        var column: Int
    }

    /// Keys written twice in one mapping: the second key node and the first's.
    private(set) var duplicateKeys: [(second: Int32, first: Int32)] = []

    private init(file: String, sink: DiagnosticSink) {
        self.file = file
        self.sink = sink
    }

    // MARK: - Reading

    /// Reads `text`; nil root for a document with nothing in it. Throws the first syntax problem,
    /// or the budget's refusal when aliases expand the document past it.
    static func read(_ text: String, file: String, budget: NodeBudget, sink: DiagnosticSink) throws(Problem)
        -> YAMLDocument
    {
        let document = YAMLDocument(file: file, sink: sink)
        // libyaml wants a buffer to read, even an empty one.
        guard !text.isEmpty else { return document }
        let bytes = Array(text.utf8)
        let result: Result<Void, Problem> = bytes.withUnsafeBufferPointer { buffer in
            var builder = Builder(document: document, budget: budget, text: buffer)
            return Result { () throws(Problem) in try builder.run() }
        }
        try result.get()
        return document
    }

    private struct Builder {
        let document: YAMLDocument
        let budget: NodeBudget
        let text: UnsafeBufferPointer<UInt8>
        /// Open collections: the node and its children so far.
        var open: [(node: Int32, children: [Int32])] = []
        var anchors: [String: Int32] = [:]

        init(document: YAMLDocument, budget: NodeBudget, text: UnsafeBufferPointer<UInt8>) {
            self.document = document
            self.budget = budget
            self.text = text
        }

        mutating func run() throws(Problem) {
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else {
                throw Problem(message: "the YAML reader could not start (out of memory)", line: 1, column: 1)
            }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, text.baseAddress, text.count)
            var documents = 0
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else { throw describe(parser) }
                defer { yaml_event_delete(&event) }
                let line = Int32(clamping: event.start_mark.line + 1)
                let column = Int32(clamping: event.start_mark.column + 1)
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return
                case YAML_DOCUMENT_START_EVENT:
                    documents += 1
                    if documents > 1 {
                        throw Problem(
                            message: "a second YAML document (after `---`); a configuration file holds one",
                            line: Int(line), column: Int(column))
                    }
                case YAML_SCALAR_EVENT:
                    let scalar = event.data.scalar
                    let value = String(
                        decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
                    let style: Style
                    switch scalar.style {
                    case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
                    case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
                    case YAML_LITERAL_SCALAR_STYLE: style = .literal
                    case YAML_FOLDED_SCALAR_STYLE: style = .folded
                    default: style = scalar.plain_implicit != 0 ? .plain : .tagged
                    }
                    document.strings.append(value)
                    let index = try add(
                        Node(
                            kind: .scalar, style: style, line: line, column: column, parent: -1, slot: 0,
                            start: Int32(document.strings.count - 1), count: 0), line: line, column: column)
                    register(anchor: scalar.anchor, to: index)
                    attach(index)
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    let kind: Kind = event.type == YAML_SEQUENCE_START_EVENT ? .sequence : .mapping
                    let index = try add(
                        Node(
                            kind: kind, style: .plain, line: line, column: column, parent: -1, slot: 0, start: 0,
                            count: 0), line: line, column: column)
                    attach(index)
                    open.append((index, []))
                    let anchor = kind == .sequence ? event.data.sequence_start.anchor : event.data.mapping_start.anchor
                    if let anchor { pendingAnchors[index] = Self.text(anchor) }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    guard let (index, children) = open.popLast() else { continue }
                    close(index, children: children, checkingKeys: true)
                    if let name = pendingAnchors.removeValue(forKey: index) { anchors[name] = index }
                case YAML_ALIAS_EVENT:
                    let name = Self.text(event.data.alias.anchor)
                    guard let target = anchors[name] else {
                        throw Problem(
                            message: "`*\(name)` refers to no anchor (`&\(name)`) written before it",
                            line: Int(line), column: Int(column))
                    }
                    let copy = try copyTree(target, line: line, column: column)
                    attach(copy)
                default:
                    break
                }
            }
        }

        /// A collection's anchor, registered at its end (an alias inside its own anchor's
        /// collection refers to nothing, as in YAML).
        var pendingAnchors: [Int32: String] = [:]

        static func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String {
            guard let pointer else { return "" }
            return String(cString: pointer)
        }

        mutating func register(anchor: UnsafeMutablePointer<yaml_char_t>?, to index: Int32) {
            guard let anchor else { return }
            anchors[Self.text(anchor)] = index
        }

        mutating func add(_ node: Node, line: Int32, column: Int32) throws(Problem) -> Int32 {
            guard budget.spend() else {
                throw Problem(
                    message:
                        "the document expands to more than \(budget.limit) nodes, more than its \(budget.bytes) bytes hold "
                        + "written out: YAML aliases (`*name`) repeat parts of it (an alias bomb?); refusing to load it",
                    line: Int(line), column: Int(column))
            }
            document.nodes.append(node)
            return Int32(document.nodes.count - 1)
        }

        /// Makes `index` the next child of the innermost open collection, or the root.
        mutating func attach(_ index: Int32) {
            guard !open.isEmpty else {
                if document.root < 0 { document.root = index }
                return
            }
            let last = open.count - 1
            document.nodes[Int(index)].parent = open[last].node
            document.nodes[Int(index)].slot = Int32(open[last].children.count)
            open[last].children.append(index)
        }

        mutating func close(_ index: Int32, children: [Int32], checkingKeys: Bool) {
            document.nodes[Int(index)].start = Int32(document.children.count)
            document.nodes[Int(index)].count = Int32(children.count)
            document.children.append(contentsOf: children)
            if checkingKeys, document.nodes[Int(index)].kind == .mapping { findDuplicates(children) }
        }

        mutating func findDuplicates(_ children: [Int32]) {
            let keys = stride(from: 0, to: children.count - 1, by: 2).map { children[$0] }
            guard keys.count > 1 else { return }
            let texts = keys.map { document.scalarText($0) }
            if keys.count <= 16 {
                for later in 1..<keys.count {
                    guard let text = texts[later] else { continue }
                    if let earlier = (0..<later).first(where: { texts[$0] == text }) {
                        document.duplicateKeys.append((keys[later], keys[earlier]))
                    }
                }
            } else {
                var seen: [String: Int32] = [:]
                for (key, text) in zip(keys, texts) {
                    guard let text else { continue }
                    if let first = seen[text] {
                        document.duplicateKeys.append((key, first))
                    } else {
                        seen[text] = key
                    }
                }
            }
        }

        /// Writes out the tree at `index` again, for an alias: each copy counts against the budget.
        mutating func copyTree(_ index: Int32, line: Int32, column: Int32) throws(Problem) -> Int32 {
            let original = document.nodes[Int(index)]
            var node = original
            node.parent = -1
            node.slot = 0
            let copy = try add(node, line: line, column: column)
            guard original.kind != .scalar else { return copy }
            var children: [Int32] = []
            children.reserveCapacity(Int(original.count))
            for position in 0..<Int(original.count) {
                let child = document.children[Int(original.start) + position]
                let childCopy = try copyTree(child, line: line, column: column)
                document.nodes[Int(childCopy)].parent = copy
                document.nodes[Int(childCopy)].slot = Int32(position)
                children.append(childCopy)
            }
            close(copy, children: children, checkingKeys: false)
            return copy
        }

        /// libyaml's problem, at its line and column (a reader problem at its byte offset).
        func describe(_ parser: yaml_parser_t) -> Problem {
            let problem = parser.problem.map { String(cString: $0) } ?? "unreadable YAML"
            if parser.error == YAML_READER_ERROR {
                let (line, column) = position(ofByte: parser.problem_offset)
                return Problem(message: "not valid YAML text: \(problem)", line: line, column: column)
            }
            let line = parser.problem_mark.line + 1
            let column = parser.problem_mark.column + 1
            // libyaml's own words name its internals; say what the limit means for the file.
            if problem.contains("nesting level") {
                return Problem(
                    message:
                        "not valid here: lists and mappings nest deeper than the YAML reader allows (a few hundred levels); "
                        + "a configuration needs a handful", line: line, column: column)
            }
            var message = "not valid YAML: \(problem)"
            if let context = parser.context {
                message +=
                    " \(String(cString: context)) (line \(parser.context_mark.line + 1), column \(parser.context_mark.column + 1))"
            }
            return Problem(message: message, line: line, column: column)
        }

        func position(ofByte offset: Int) -> (line: Int, column: Int) {
            var line = 1
            var lineStart = 0
            for index in 0..<min(offset, text.count) where text[index] == UInt8(ascii: "\n") {
                line += 1
                lineStart = index + 1
            }
            return (line, offset - lineStart + 1)
        }
    }

    // MARK: - Reading nodes

    func scalarText(_ index: Int32) -> String? {
        let node = nodes[Int(index)]
        return node.kind == .scalar ? strings[Int(node.start)] : nil
    }

    func child(of index: Int32, at position: Int) -> Int32 {
        children[Int(nodes[Int(index)].start) + position]
    }

    /// `phases.pre-deploy.items[3].run`: walked up from the node, only when asked.
    func keyPath(_ index: Int32) -> String {
        var parts: [String] = []
        var current = index
        while current >= 0 {
            let node = nodes[Int(current)]
            guard node.parent >= 0 else { break }
            let parent = nodes[Int(node.parent)]
            if parent.kind == .sequence {
                parts.append("[\(node.slot)]")
            } else {
                // A key shares its value's path.
                let keySlot = node.slot - node.slot % 2
                let key = children[Int(parent.start + keySlot)]
                parts.append("." + (scalarText(key) ?? "?"))
            }
            current = node.parent
        }
        var path = parts.reversed().joined()
        if path.hasPrefix(".") { path.removeFirst() }
        return path
    }
}

/// How plain scalars read as numbers and booleans (YAML 1.1's words, as configurations have
/// always been read here: `yes`/`no`, `on`/`off`, `0x`, `0o`, `0b`, `_` between digits).
enum YAMLScalar {
    static func bool(_ text: String) -> Bool? {
        guard text.utf8.count <= 5 else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }

    static func integer(_ text: String) -> Int? {
        let cleaned = text.contains("_") ? text.filter { $0 != "_" } : text
        var body = Substring(cleaned)
        var sign = ""
        if let first = body.first, first == "-" || first == "+" {
            sign = first == "-" ? "-" : ""
            body = body.dropFirst()
        }
        guard let first = body.first, first.isASCII, first.isNumber else { return nil }
        if body == "0" { return 0 }
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2), ("0", 8)] where body.hasPrefix(prefix) {
            let digits = body.dropFirst(prefix.count)
            guard let digit = digits.first, digit.isASCII, digit.isHexDigit else { return nil }
            return Int(sign + digits, radix: radix)
        }
        return Int(sign + body)
    }

    static func isFloat(_ text: String) -> Bool {
        switch text.lowercased() {
        case ".inf", "+.inf", "-.inf", ".nan": return true
        default: break
        }
        let cleaned = text.contains("_") ? text.filter { $0 != "_" } : text
        guard let first = cleaned.first, first.isNumber || first == "-" || first == "+" || first == "." else {
            return false
        }
        return cleaned.contains(where: \.isNumber) && Double(cleaned) != nil
    }
}
