import CastorCore

/// A JSON document that keeps what Gemini's wire format cares about and `JSONSerialization`
/// loses: object key order, the difference between `"5"` and `5`, and a number's exact text.
///
/// Responses are built from it so field order and string-vs-number types match Gemini's
/// bodies byte for byte in shape; request payloads are parsed into it so the validator can
/// tell a string `client_order_id` from a numeric one and read ids above 2^53 exactly.
public indirect enum GeminiJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number as written (`1e-8`, `1712045678.123`, `73751560172006688`), never a `Double`.
    case number(String)
    case string(String)
    case array([GeminiJSON])
    /// Members in document order; duplicate keys keep the first (lookups) but are all written.
    case object([(String, GeminiJSON)])

    public static func == (lhs: GeminiJSON, rhs: GeminiJSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.number(a), .number(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.object(a), .object(b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// An integer number value.
    public static func int<T: BinaryInteger>(_ value: T) -> GeminiJSON { .number(String(value)) }

    /// The member `key` of an object, or nil.
    public subscript(key: String) -> GeminiJSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The text of a number or a string (Gemini accepts many numeric fields either way).
    public var numberOrStringText: String? {
        switch self {
        case .number(let text), .string(let text): text
        default: nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    public var arrayValue: [GeminiJSON]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// Compact JSON text (no whitespace), strings escaped per RFC 8259.
    public var serialized: String {
        var out = ""
        write(to: &out)
        return out
    }

    /// Compact JSON as UTF-8 bytes.
    public var bytes: [UInt8] { Array(serialized.utf8) }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .number(let text): out += text
        case .string(let text): JSONString.append(text, to: &out)
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { out += "," }
                JSONString.append(member.0, to: &out)
                out += ":"
                member.1.write(to: &out)
            }
            out += "}"
        }
    }
}
