import CastorCore

/// Gemini's per-key nonce rules (API.md §2.3), over injected time.
///
/// Counter keys: each nonce must be strictly greater than the last *accepted* one for the
/// key; values are compared as exact decimals, so `"1712045678.123"` and `1712045678123`
/// are different numbers (as on Gemini, switching from ms to seconds breaks a key).
/// Time-based keys: the nonce is Unix seconds and must be within ±window of server time.
/// A rejected request never moves the high-water mark.
struct NonceValidator: Sendable {
    private var lastAccepted: [String: ExactDecimal] = [:]
    let windowSeconds: Int64

    init(windowSeconds: Int64) { self.windowSeconds = windowSeconds }

    /// Checks and (on success) records `nonce` for `key`. `nonceText` is the nonce as the
    /// client wrote it (a JSON number's digits or a string's content).
    mutating func accept(nonceText: String?, key: String, mode: SimAPIKeyConfig.NonceMode,
                         nowMilliseconds: Int64) -> GeminiErrorReply? {
        guard let text = nonceText else {
            return GeminiErrorReply(status: 400, reason: "MissingNonce", message: "The payload must contain a nonce")
        }
        guard let value = ExactDecimal(text.trimmingSpaces), !value.isNegative else {
            return GeminiErrorReply(status: 400, reason: "InvalidNonce", message: "Nonce '\(text)' is not a number")
        }
        switch mode {
        case .counter:
            if let last = lastAccepted[key], value <= last {
                return GeminiErrorReply(status: 400, reason: "InvalidNonce",
                                        message: "Nonce '\(text)' has not increased since your last call to the Gemini API.")
            }
            lastAccepted[key] = value
        case .time:
            let nowSeconds = nowMilliseconds / 1_000
            let distance = (value - ExactDecimal(Int(nowSeconds))).magnitude
            if distance > ExactDecimal(Int(windowSeconds)) {
                // Gemini's real message ends with a stray quote; kept for fidelity.
                return GeminiErrorReply(status: 400, reason: "InvalidNonce",
                                        message: "Nonce '\(text)' is not within \(windowSeconds) seconds of server time '\(nowSeconds)''")
            }
        }
        return nil
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
