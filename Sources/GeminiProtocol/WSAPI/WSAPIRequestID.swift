import CastorCore

/// The `id` of a request to the new WebSocket API, echoed on its reply with its JSON type
/// (WS-API.md §2.1): Castor sends integers; replies to others may carry strings.
public enum WSAPIRequestID: Sendable, Hashable, CustomStringConvertible {
    case number(Int64)
    case text(String)

    /// The id as a JSON token.
    public var json: String {
        switch self {
        case .number(let n): String(n)
        case .text(let s): JSONString.quoted(s)
        }
    }

    public var description: String {
        switch self {
        case .number(let n): String(n)
        case .text(let s): s
        }
    }
}
