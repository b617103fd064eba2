/// Why a frame of the new WebSocket API (`wss://ws.gemini.com`, WS-API.md) could not be
/// decoded.
///
/// Decoding is all-or-nothing: a decoder validates the whole frame before it hands anything
/// on, so after one of these errors nothing of the frame was applied. What to do: count and
/// log it; on the market-data socket resync the symbol (or the connection when the symbol
/// is unknown); on the account socket drop the connection, whose reconnect reconciles.
public enum WSAPIDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not valid JSON; `offset` is the byte where parsing stopped.
    case malformedJSON(offset: Int, problem: JSONProblem)
    /// Valid JSON whose top level is not an object (every frame of the API is one).
    case notAnObject(offset: Int)
    /// A field the frame's kind requires is absent (`offset`: where the object starts).
    case missingField(String, offset: Int)
    /// A field has the wrong JSON type or an unusable value (a decimal that is not one, a
    /// negative quantity, an id beyond Int64, a level that is not `[price, qty]`).
    case invalidValue(String, offset: Int)

    init(_ json: MarketDataV2DecodingError) {
        switch json {
        case .malformedJSON(let offset, let problem): self = .malformedJSON(offset: offset, problem: problem)
        case .notAnObject(let offset): self = .notAnObject(offset: offset)
        case .missingField(let field, let offset): self = .missingField(field.rawValue, offset: offset)
        case .invalidValue(let field, let offset): self = .invalidValue(field.rawValue, offset: offset)
        }
    }

    public var description: String {
        switch self {
        case .malformedJSON(let o, let p): "malformed JSON at byte \(o): \(p)"
        case .notAnObject(let o): "frame at byte \(o) is not a JSON object"
        case .missingField(let f, let o): "object at byte \(o) lacks required field \"\(f)\""
        case .invalidValue(let f, let o): "invalid value for \"\(f)\" at byte \(o)"
        }
    }
}
