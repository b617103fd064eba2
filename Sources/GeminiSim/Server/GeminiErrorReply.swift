/// An error answer in Gemini's shape (API.md §4.1):
/// `{"result":"error","reason":"…","message":"…"}` with the matching HTTP status.
///
/// Reasons and messages imitate Gemini's own text where it is known, so client code that
/// matches on them (ccxt does, by reason and by message substring) behaves as in production.
public struct GeminiErrorReply: Error, Sendable, Equatable, CustomStringConvertible {
    public let status: Int
    public let reason: String
    public let message: String

    public init(status: Int, reason: String, message: String) {
        self.status = status
        self.reason = reason
        self.message = message
    }

    /// The JSON body, keys in Gemini's order.
    public var body: GeminiJSON {
        .object([("result", .string("error")), ("reason", .string(reason)), ("message", .string(message))])
    }

    public var description: String { "\(status) \(reason): \(message)" }

    static func missingHeader(_ reason: String, _ header: String) -> GeminiErrorReply {
        GeminiErrorReply(status: 400, reason: reason, message: "Missing required header \(header)")
    }

    static func invalidSignature() -> GeminiErrorReply {
        GeminiErrorReply(status: 400, reason: "InvalidSignature",
                         message: "InvalidSignature: the X-GEMINI-SIGNATURE header does not match the payload")
    }

    static func invalidApiKey(_ key: String) -> GeminiErrorReply {
        GeminiErrorReply(status: 400, reason: "InvalidSignature",
                         message: "InvalidSignature: API key '\(key)' does not exist")
    }

    static func invalidJSON(_ detail: String) -> GeminiErrorReply {
        GeminiErrorReply(status: 400, reason: "InvalidJson", message: "Malformed JSON in payload: \(detail)")
    }

    static func endpointMismatch(payload: String, path: String) -> GeminiErrorReply {
        GeminiErrorReply(status: 400, reason: "EndpointMismatch",
                         message: "EndpointMismatch: payload request '\(payload)' does not match the URL path '\(path)'")
    }

    static func endpointNotFound(_ path: String) -> GeminiErrorReply {
        GeminiErrorReply(status: 404, reason: "EndpointNotFound", message: "API entry point `\(path)` not found")
    }

    static func missingRole(required: [String], key: String, has: [String]) -> GeminiErrorReply {
        GeminiErrorReply(
            status: 403, reason: "MissingRole",
            message: "To access this endpoint, you need to log in to the website and go to the settings page to assign one of these roles [\(required.joined(separator: ", "))] to API key \(key) which currently has roles [\(has.joined(separator: ", "))]")
    }

    static func rateLimit() -> GeminiErrorReply {
        GeminiErrorReply(status: 429, reason: "RateLimit", message: "Requests were made too frequently. Slow down.")
    }

    static func maintenance() -> GeminiErrorReply {
        GeminiErrorReply(status: 503, reason: "Maintenance",
                         message: "The Gemini Exchange is currently undergoing maintenance. Please check https://status.gemini.com/ for more information.")
    }

    static func system(status: Int) -> GeminiErrorReply {
        GeminiErrorReply(status: status, reason: "System",
                         message: "We are investigating technical issues with the Gemini Exchange. Please check https://status.gemini.com/ for more information.")
    }

    static func invalidSymbol(_ symbol: String) -> GeminiErrorReply {
        GeminiErrorReply(status: 400, reason: "InvalidSymbol", message: "Supplied value '\(symbol)' is not a valid symbol.")
    }

    static func forbidden(_ reason: String, _ message: String) -> GeminiErrorReply {
        GeminiErrorReply(status: 403, reason: reason, message: message)
    }

    static func badRequest(_ reason: String, _ message: String) -> GeminiErrorReply {
        GeminiErrorReply(status: 400, reason: reason, message: message)
    }
}
