/// A value in a signed Gemini payload.
///
/// There is deliberately no floating-point case: prices and amounts are sent as JSON
/// strings that the caller formats exactly (e.g. `"25000.00"`), because a binary double
/// can change the digits and Gemini rejects amounts off the tick.
public enum PayloadValue: Sendable, Hashable {
    case string(String)
    case integer(Int64)
    case bool(Bool)
    case stringArray([String])
    case integerArray([Int64])
}

extension PayloadValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}
