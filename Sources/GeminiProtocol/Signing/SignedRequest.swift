/// The authentication headers of one signed Gemini request, plus what went into them.
///
/// Holds no secret: the payload and signature are sent in clear headers anyway, so
/// `description` may be logged (it shows the decoded JSON, which helps with
/// `InvalidSignature`/`InvalidNonce` replies).
public struct SignedRequest: Sendable, CustomStringConvertible {
    /// Headers in the order to send them; names as in API.md §2.1.
    public let headers: [(name: String, value: String)]
    /// The `X-GEMINI-PAYLOAD` value: base64 of `payloadJSON` (or of the nonce, new WS API).
    public let payloadBase64: String
    /// The exact bytes that were base64-encoded.
    public let payloadJSON: [UInt8]
    /// The `X-GEMINI-SIGNATURE` value: lower-case hex HMAC-SHA384 of `payloadBase64`.
    public let signature: String

    /// The value of the first header named `name` (case-insensitive, as HTTP header names are).
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    public var description: String {
        let names = headers.map(\.name).joined(separator: ", ")
        return "SignedRequest(payload: \(String(decoding: payloadJSON, as: UTF8.self)), signature: \(signature), headers: [\(names)])"
    }
}
