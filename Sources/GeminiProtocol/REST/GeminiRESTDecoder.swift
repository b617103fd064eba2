import Foundation

/// Decodes REST response bodies: either the expected type or Gemini's error body.
///
/// Usage: `try GeminiRESTDecoder.decode(OrderStatus.self, from: body, httpStatus: 200)`;
/// arrays decode as `[MyTrade].self`, `[Balance].self`, `[Symbol].self`, `[Candle].self`,
/// `[PublicTrade].self`; `/v1/orders` as `OrderList.self` (accepts `null`).
public enum GeminiRESTDecoder {
    /// - Returns: `.success` with the decoded body, or `.failure` with the error body when
    ///   the status is not 2xx or the body is an error object (including non-JSON outage
    ///   pages, classified as `Maintenance` / `System`).
    ///   A non-2xx status with an unrecognisable body (an edge proxy page) gives a
    ///   synthesised reason `HTTP<status>`, which `GeminiErrorClassification` then
    ///   classifies by the status.
    /// - Throws: `GeminiDecodingError` when a 2xx body does not match `T`, or is an error
    ///   object without a usable `reason`.
    public static func decode<T: Decodable>(
        _ type: T.Type, from body: Data, httpStatus: Int = 200
    ) throws(GeminiDecodingError) -> Result<T, GeminiErrorBody> {
        let name = String(describing: T.self)
        if !(200..<300).contains(httpStatus) || looksLikeErrorBody(body) {
            if let error = GeminiErrorBody.classify(body: body) { return .failure(error) }
            if (200..<300).contains(httpStatus) {
                // `{"result":"error"}` without a usable reason: report its fault.
                return .failure(try GeminiErrorBody.decode(body))
            }
            // Unrecognised error page: synthesise a body from the status alone.
            let text = String(decoding: body.prefix(500), as: UTF8.self)
            return .failure(GeminiErrorBody(reason: GeminiReason("HTTP\(httpStatus)"), message: text))
        }
        return .success(try JSONEnvelope.decode(T.self, from: body, messageType: name))
    }

    /// `decode(_:from:httpStatus:)` for raw bytes.
    public static func decode<T: Decodable>(
        _ type: T.Type, from body: [UInt8], httpStatus: Int = 200
    ) throws(GeminiDecodingError) -> Result<T, GeminiErrorBody> {
        try decode(type, from: Data(body), httpStatus: httpStatus)
    }

    private static func looksLikeErrorBody(_ body: Data) -> Bool {
        guard JSONEnvelope.shape(of: body) == .object else { return false }
        return (try? JSONDecoder().decode(JSONEnvelope.self, from: body))?.result == "error"
    }
}
