/// An error reply of the new WebSocket API (WS-API.md §2.2–2.3):
/// `{"id":…,"status":<http-like>,"error":{"code":<int>,"msg":"…"}}`.
struct WSAPIError: Error, Sendable, Equatable {
    let status: Int
    let code: Int
    let msg: String

    /// 400/-1013 "Invalid parameters": malformed JSON, a missing or mistyped field.
    static let invalidParameters = WSAPIError(status: 400, code: -1013, msg: "Invalid parameters")
    /// 400/-1020: a method the API does not have.
    static let unsupportedOperation = WSAPIError(status: 400, code: -1020, msg: "Unsupported operation")
    /// 401/-1002: a private stream or an `order.*` method on a public connection.
    static let authenticationRequired = WSAPIError(status: 401, code: -1002, msg: "Authentication required")
    /// 401/-1002 for an authenticated key without the Trader role asking for `order.*`
    /// (the simulator's choice; Gemini does not document this case).
    static let traderRoleRequired = WSAPIError(status: 401, code: -1002,
                                               msg: "Authentication required - the API key lacks the Trader role")
    /// 429/-1003: over REQUEST_WEIGHT or ORDERS.
    static let rateLimited = WSAPIError(status: 429, code: -1003, msg: "Rate limit exceeded")
    /// 400/-1013 for `order.cancel` of an order that is not live (hummingbot's observed text).
    static let orderNotFound = WSAPIError(status: 400, code: -1013,
                                          msg: "Invalid parameters - order not found or already filled")
    /// 500/-1000.
    static let internalError = WSAPIError(status: 500, code: -1000, msg: "Internal error")

    /// 400/-1013 naming the first stream name of a subscribe frame that does not exist.
    static func invalidStream(_ name: String) -> WSAPIError {
        WSAPIError(status: 400, code: -1013, msg: "Invalid stream name: \(name)")
    }

    /// 400/-2010: `order.place` refused; `msg` is the reject reason (`InsufficientFunds`, …).
    static func orderRejected(_ reason: String) -> WSAPIError {
        WSAPIError(status: 400, code: -2010, msg: reason)
    }
}
