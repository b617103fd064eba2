/// Why the simulator answered a WebSocket API upgrade with an HTTP error instead of 101:
/// 400 (bad query), 401 (authentication), 429 (connection attempts), 503 (maintenance).
///
/// The body is small JSON in the REST error shape, naming the reason:
/// `{"result":"error","reason":"InvalidNonce","message":"…"}`.
struct WSAPIUpgradeRefusal: Error, Sendable, Equatable {
    let status: Int
    let reason: String
    let message: String

    var body: GeminiJSON {
        .object([("result", .string("error")), ("reason", .string(reason)), ("message", .string(message))])
    }

    static func unauthorized(_ reason: String, _ message: String) -> WSAPIUpgradeRefusal {
        WSAPIUpgradeRefusal(status: 401, reason: reason, message: message)
    }

    static func badRequest(_ reason: String, _ message: String) -> WSAPIUpgradeRefusal {
        WSAPIUpgradeRefusal(status: 400, reason: reason, message: message)
    }

    static let tooManyAttempts = WSAPIUpgradeRefusal(
        status: 429, reason: "RateLimit", message: "Too many connection attempts (CONNECTION_ATTEMPTS); wait for the 5 minute window to pass")

    static let maintenance = WSAPIUpgradeRefusal(
        status: 503, reason: "Maintenance",
        message: "The Gemini Exchange is currently undergoing maintenance. Please check https://status.gemini.com/ for more information.")
}
