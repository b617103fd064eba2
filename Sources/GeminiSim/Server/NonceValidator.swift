import CastorCore

/// Gemini's per-key nonce rules (API.md §2.3), over injected time.
///
/// Counter keys: each nonce must be strictly greater than the last *accepted* one for the
/// key; values are compared as exact decimals, so `"1712045678.123"` and `1712045678123`
/// are different numbers (as on Gemini, switching from ms to seconds breaks a key).
/// Time-based keys: the nonce is Unix seconds and must be within ±window of server time.
/// A rejected request never moves the high-water mark.
///
/// Time-based keys also keep one mark shared by REST and the new WebSocket API, in
/// milliseconds (a REST nonce `"1712045678.123"` is 1712045678123 ms, a WebSocket API
/// nonce of N seconds is N·1000 ms): an upgrade must be above every nonce the key used
/// before (REST or upgrade), and a REST nonce must be above the key's last upgrade nonce.
/// REST nonces among themselves keep Gemini's documented rule for time-based keys (the
/// window only), so REST requests that overtake each other on the wire still pass.
struct NonceValidator: Sendable {
    private var lastAccepted: [String: ExactDecimal] = [:]
    /// Highest accepted nonce of each time-based key, REST and WebSocket API, in ms.
    private var timeMarks: [String: ExactDecimal] = [:]
    /// Highest accepted WebSocket API upgrade nonce of each key, in ms.
    private var webSocketMarks: [String: ExactDecimal] = [:]
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
            // A difference too large to compute is certainly outside the window.
            let distance = value.subtractingReportingOverflow(ExactDecimal(Int(nowSeconds)))?.magnitude
            guard let distance, distance <= ExactDecimal(Int(windowSeconds)) else {
                // Gemini's real message ends with a stray quote; kept for fidelity.
                return GeminiErrorReply(status: 400, reason: "InvalidNonce",
                                        message: "Nonce '\(text)' is not within \(windowSeconds) seconds of server time '\(nowSeconds)''")
            }
            let milliseconds = Self.milliseconds(ofSeconds: value)
            if let upgrade = webSocketMarks[key], milliseconds <= upgrade {
                return GeminiErrorReply(status: 400, reason: "InvalidNonce",
                                        message: "Nonce '\(text)' has not increased since your last call to the Gemini API.")
            }
            raiseMark(&timeMarks, key, milliseconds)
        }
        return nil
    }

    /// Checks the nonce of a new WebSocket API upgrade (whole Unix seconds, already known to
    /// be ten digits) for the time-based `key`: within ±window of server time, and above the
    /// key's mark. Records it on success; otherwise returns why not (a sentence).
    mutating func acceptWebSocketAPI(seconds: Int64, key: String, nowMilliseconds: Int64) -> String? {
        let nowSeconds = nowMilliseconds / 1_000
        guard (seconds - nowSeconds).magnitude <= windowSeconds else {
            return "Nonce '\(seconds)' is not within \(windowSeconds) seconds of server time '\(nowSeconds)'"
        }
        let milliseconds = ExactDecimal(Int(seconds)) * ExactDecimal(1_000)
        if let mark = timeMarks[key], milliseconds <= mark {
            return "Nonce '\(seconds)' has not increased since the key's last nonce (\(mark.normalized) ms, REST or WebSocket)"
        }
        raiseMark(&timeMarks, key, milliseconds)
        raiseMark(&webSocketMarks, key, milliseconds)
        return nil
    }

    private func raiseMark(_ marks: inout [String: ExactDecimal], _ key: String, _ value: ExactDecimal) {
        if let old = marks[key], old >= value { return }
        marks[key] = value
    }

    /// `seconds` × 1000, exactly: the decimal point moves three places (no multiplication,
    /// so a nonce with many decimal places cannot overflow).
    static func milliseconds(ofSeconds seconds: ExactDecimal) -> ExactDecimal {
        if seconds.scale >= 3 { return ExactDecimal(mantissa: seconds.mantissa, scale: seconds.scale - 3) }
        let factor: Int128 = seconds.scale == 2 ? 10 : (seconds.scale == 1 ? 100 : 1_000)
        // Within the ±window of server time, so the mantissa is small: no overflow.
        return ExactDecimal(mantissa: seconds.mantissa * factor, scale: 0)
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
