public import Foundation

extension NSRegularExpression {
    /// A pattern written in this program's source, not read from input: tests compile every one of
    /// them, so failing here is a programming error and says which pattern.
    public static func builtIn(_ pattern: String, options: Options = []) -> NSRegularExpression {
        guard let regex = try? NSRegularExpression(pattern: pattern, options: options) else {
            preconditionFailure("a built-in regular expression does not compile: \(pattern)")
        }
        return regex
    }
}

extension FactExpression {
    /// An expectation written in this program's source (a kind's default). Should one ever fail to
    /// parse, it evaluates to an error naming it: never a crash, never a pass.
    public static func builtIn(_ text: String) -> FactExpression {
        (try? parse(text)) ?? .call("unparsable built-in expectation `\(text)`", [])
    }
}
