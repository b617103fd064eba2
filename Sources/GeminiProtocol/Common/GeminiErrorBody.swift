import Foundation

/// Gemini's error body, `{"result":"error","reason":"InvalidNonce","message":"…"}`, sent with
/// every non-200 REST answer and, on the order-events socket, instead of events (e.g.
/// `MissingRole`).
///
/// Outages can answer with plain text or HTML instead of JSON (§4.1); `classify(body:)`
/// turns those into `Maintenance` / `System` bodies so callers handle one shape.
public struct GeminiErrorBody: Error, Sendable, Hashable, Decodable, CustomStringConvertible {
    /// Always `"error"` on the wire.
    public let result: String
    /// The machine code; may be one this module does not know.
    public let reason: GeminiReason
    /// Human text; absent in some bodies.
    public let message: String?

    public init(reason: GeminiReason, message: String?, result: String = "error") {
        self.result = result
        self.reason = reason
        self.message = message
    }

    public var description: String {
        message.map { "\(reason.rawValue): \($0)" } ?? reason.rawValue
    }

    /// What the client should do about this error (see `GeminiErrorClassification`).
    public func classification(httpStatus: Int? = nil) -> GeminiErrorClassification {
        GeminiErrorClassification(reason: reason, httpStatus: httpStatus)
    }

    private enum CodingKeys: String, CodingKey { case result, reason, message }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        result = try c.decode(String.self, forKey: .result)
        guard result == "error" else {
            throw DecodingError.dataCorruptedError(forKey: .result, in: c,
                debugDescription: "expected \"error\", got \"\(result)\"")
        }
        reason = try c.decode(GeminiReason.self, forKey: .reason)
        message = try c.decodeIfPresent(String.self, forKey: .message)
    }

    /// Substrings ccxt matches in non-JSON outage pages, with the reason each implies.
    static let outageMarkers: [(text: String, reason: GeminiReason)] = [
        ("The Gemini Exchange is currently undergoing maintenance.", .maintenance),
        ("We are investigating technical issues with the Gemini Exchange.", .system),
        ("Internal Server Error", .system),
    ]

    /// Decodes an error body from raw response bytes.
    ///
    /// - Returns: the body when the bytes are a JSON error body, or a synthesised
    ///   `Maintenance`/`System` body (message = the trimmed text) when they are a known
    ///   outage text; nil when they are neither (e.g. a success body).
    public static func classify(body: Data) -> GeminiErrorBody? {
        if let decoded = try? JSONDecoder().decode(GeminiErrorBody.self, from: body) {
            return decoded
        }
        let text = String(decoding: body, as: UTF8.self)
        for marker in outageMarkers where text.contains(marker.text) {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return GeminiErrorBody(reason: marker.reason, message: String(trimmed.prefix(500)))
        }
        return nil
    }

    /// `classify(body:)` for a byte array.
    public static func classify(body: [UInt8]) -> GeminiErrorBody? {
        classify(body: Data(body))
    }

    /// Decodes a JSON error body strictly, with a typed error naming the missing or wrong
    /// field (for the feeds, where a half-formed error object must not pass silently).
    public static func decode(_ data: Data) throws(GeminiDecodingError) -> GeminiErrorBody {
        do {
            return try JSONDecoder().decode(GeminiErrorBody.self, from: data)
        } catch {
            throw GeminiDecodingError(error, messageType: "error")
        }
    }
}
