import CastorCore
import Foundation

/// Typed, reporting access to one TOML table during validation.
///
/// Every getter returns nil when the key is absent *or* invalid; invalid values are reported
/// to the diagnostics, so callers simply fall back to the default and carry on, and the
/// parse fails at the end with every problem listed.
struct ConfigSection {
    let path: [String]
    let entries: [String: ConfigNode]
    let diagnostics: ConfigDiagnostics

    /// Reports keys not in `known` (with a suggestion), skipping secrets already reported.
    func rejectUnknownKeys(known: [String]) {
        for key in entries.keys.sorted() where !known.contains(key) && !diagnostics.isSecret(path + [key]) {
            diagnostics.report(path + [key], .unknownKey(suggestion: ConfigDiagnostics.suggestion(for: key, among: known)))
        }
    }

    func node(_ key: String) -> ConfigNode? { entries[key] }

    func report(_ key: String, _ problem: ConfigurationProblem) {
        diagnostics.report(path + [key], problem)
    }

    /// A sub-table; a present key of another type is reported.
    func section(_ key: String) -> ConfigSection? {
        guard let node = entries[key] else { return nil }
        guard case .table(let children) = node else {
            report(key, .wrongType(expected: "a table", found: node.typeName))
            return nil
        }
        return ConfigSection(path: path + [key], entries: children, diagnostics: diagnostics)
    }

    func string(_ key: String) -> String? {
        guard let node = entries[key] else { return nil }
        guard case .string(let value) = node else {
            report(key, .wrongType(expected: "a string", found: node.typeName))
            return nil
        }
        return value
    }

    func bool(_ key: String) -> Bool? {
        guard let node = entries[key] else { return nil }
        guard case .bool(let value) = node else {
            report(key, .wrongType(expected: "true or false", found: node.typeName))
            return nil
        }
        return value
    }

    func int(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let node = entries[key] else { return nil }
        guard case .integer(let value) = node else {
            report(key, .wrongType(expected: "an integer", found: node.typeName))
            return nil
        }
        guard range.contains(value) else {
            report(key, .invalidValue(reason: "\(value) is out of range: expected \(range.lowerBound)...\(range.upperBound)"))
            return nil
        }
        return value
    }

    /// A rate or similar non-money number: integer or float.
    func number(_ key: String, in range: ClosedRange<Double>) -> Double? {
        guard let node = entries[key] else { return nil }
        let value: Double
        switch node {
        case .integer(let int): value = Double(int)
        case .float(let float): value = float
        default:
            report(key, .wrongType(expected: "a number", found: node.typeName))
            return nil
        }
        guard range.contains(value) else {
            report(key, .invalidValue(reason: "\(value) is out of range: expected \(range.lowerBound)...\(range.upperBound)"))
            return nil
        }
        return value
    }

    /// A money value: a decimal string (`"0.5"`) or an integer; floats are refused.
    func decimal(_ key: String, positive: Bool = true) -> ExactDecimal? {
        guard let node = entries[key] else { return nil }
        var value: ExactDecimal
        switch node {
        case .string(let text):
            guard let parsed = ExactDecimal(text.trimmingCharacters(in: .whitespaces)) else {
                report(key, .invalidValue(reason: #"\#(quoted(text)) is not a decimal number: write it like "0.5""#))
                return nil
            }
            value = parsed
        case .integer(let int):
            value = ExactDecimal(int)
        case .float:
            report(key, .floatForDecimal)
            return nil
        default:
            report(key, .wrongType(expected: #"a decimal string like "0.5""#, found: node.typeName))
            return nil
        }
        guard let bounded = Self.bounded(value) else {
            report(key, .invalidValue(reason: "\(value) is out of range: at most \(Self.decimalIntegerDigits) digits before the point and \(Self.decimalFractionDigits) after it"))
            return nil
        }
        value = bounded
        if positive && !value.isPositive {
            report(key, .invalidValue(reason: "\(value) must be greater than zero"))
            return nil
        }
        return value
    }

    /// Money values in the configuration stay below 10^15 with at most 18 decimal places, so
    /// that products with prices and amounts (notional checks) stay far inside `ExactDecimal`.
    static let decimalIntegerDigits = 15
    static let decimalFractionDigits = 18

    /// `value` with trailing zeros trimmed when it has more than 18 places; nil beyond the bounds.
    static func bounded(_ value: ExactDecimal) -> ExactDecimal? {
        let v = value.scale > UInt8(decimalFractionDigits) ? value.normalized : value
        guard v.scale <= UInt8(decimalFractionDigits) else { return nil }
        let limit = ExactDecimal(mantissa: 1_000_000_000_000_000, scale: 0)  // 10^15
        guard v.magnitude < limit else { return nil }
        return v
    }

    /// A duration: a string with a unit (`"500ms"`, `"15s"`, `"2m"`, `"1h"`) or whole seconds.
    func duration(_ key: String, in range: ClosedRange<Duration>) -> Duration? {
        guard let node = entries[key] else { return nil }
        let expected = "expected \(DurationText.format(range.lowerBound)) to \(DurationText.format(range.upperBound))"
        switch DurationText.parseChecked(node) {
        case .malformed:
            report(key, .wrongType(expected: #"a duration like "15s", "500ms" or "2m" (or whole seconds)"#, found: describe(node)))
            return nil
        case .tooLong:
            let written = if case .integer(let seconds) = node { "\(seconds)s" } else { describe(node) }
            report(key, .invalidValue(reason: "\(written) is out of range: \(expected)"))
            return nil
        case .value(let value):
            guard range.contains(value) else {
                report(key, .invalidValue(reason: "\(DurationText.format(value)) is out of range: \(expected)"))
                return nil
            }
            return value
        }
    }

    /// One of a fixed set of names.
    func choice<T>(_ key: String, _ options: [(String, T)]) -> T? {
        guard let text = string(key) else { return nil }
        if let match = options.first(where: { $0.0 == text }) { return match.1 }
        let names = options.map { "\"\($0.0)\"" }.joined(separator: ", ")
        let hint = ConfigDiagnostics.suggestion(for: text, among: options.map(\.0)).map { " (did you mean \"\($0)\"?)" } ?? ""
        report(key, .invalidValue(reason: "\(quoted(text)) is not one of \(names)\(hint)"))
        return nil
    }

    func stringList(_ key: String) -> [String]? {
        guard let node = entries[key] else { return nil }
        guard case .array(let elements) = node else {
            report(key, .wrongType(expected: "an array of strings", found: node.typeName))
            return nil
        }
        var strings: [String] = []
        for (index, element) in elements.enumerated() {
            guard case .string(let text) = element else {
                diagnostics.report(path + [key], .wrongType(expected: "a string", found: element.typeName), index: index)
                return nil
            }
            strings.append(text)
        }
        return strings
    }

    private func describe(_ node: ConfigNode) -> String {
        if case .string(let text) = node { return quoted(text) }
        return node.typeName
    }

    private func quoted(_ text: String) -> String { "\"\(text)\"" }
}

extension ConfigSection {
    /// `file:line` of this section's own key, for errors reported after parsing.
    var locationText: String {
        let probe = ConfigDiagnostics.locate(diagnostics, path)
        return probe.map { "\(diagnostics.fileName):\($0)" } ?? diagnostics.fileName
    }
}
