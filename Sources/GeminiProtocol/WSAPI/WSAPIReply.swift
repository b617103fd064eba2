/// A control reply of the new WebSocket API: `{"id":…,"status":200[,"result":…]}` or
/// `{"id":…,"status":4xx|5xx,"error":{"code":…,"msg":…}}` (WS-API.md §2.2–2.3).
public struct WSAPIReply: Sendable, Hashable, CustomStringConvertible {
    /// The request's id; nil when the reply carried none (or null).
    public var id: WSAPIRequestID?
    /// HTTP-style status: 200 on success.
    public var status: Int
    /// `error.code` (`-1013`, `-2010`, …) when it failed.
    public var errorCode: Int64?
    /// `error.msg` (or `error.message`) when it failed.
    public var errorMessage: String?
    /// `result.orderId` when a reply carries one (not documented; a hint only, §2.4.8).
    public var orderIDHint: Int64?
    /// `rateLimits` of a `conninfo` reply (top level, not under `result`: §2.4.1).
    public var rateLimits: [WSAPIRateLimit]?

    public init(id: WSAPIRequestID?, status: Int, errorCode: Int64? = nil, errorMessage: String? = nil,
                orderIDHint: Int64? = nil) {
        self.id = id
        self.status = status
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.orderIDHint = orderIDHint
    }

    public var isSuccess: Bool { status == 200 }

    /// What a failed request means for a client (hummingbot's and fastmm's reading, §2.3).
    public enum Outcome: Sendable, Hashable {
        case success
        /// 400: refused on its merits (`-2010` order rejected, `-1013` invalid parameters or
        /// order not found, `-1020` unsupported): not executed; do not resend unchanged.
        case rejected
        /// 401 / `-1002`: the connection is not authenticated for this.
        case unauthenticated
        /// 429 / `-1003`: rate limited; not executed; retry later.
        case rateLimited
        /// 5xx / `-1000` or another status: not executed per the API; retry later.
        case serverError
    }

    public var outcome: Outcome {
        if status == 200 { return .success }
        if status == 429 || errorCode == -1003 { return .rateLimited }
        if status == 401 || errorCode == -1002 { return .unauthenticated }
        if status == 400 { return .rejected }
        return .serverError
    }

    /// `-1013` "order not found or already filled" on a cancel.
    public var isOrderNotFound: Bool {
        errorCode == -1013 && (errorMessage?.lowercased().contains("not found") ?? false)
    }

    public var description: String {
        var text = "id \(id?.description ?? "none") status \(status)"
        if let errorCode { text += " code \(errorCode)" }
        if let errorMessage { text += " \"\(errorMessage)\"" }
        return text
    }
}

/// One entry of `conninfo`'s `rateLimits` (WS-API.md §2.4.1).
public struct WSAPIRateLimit: Sendable, Hashable, CustomStringConvertible {
    /// `REQUEST_WEIGHT`, `ORDERS`, `CONNECTION_ATTEMPTS`.
    public var type: String
    /// `SECOND`, `MINUTE`, `DAY`.
    public var interval: String
    public var intervalCount: Int64
    public var limit: Int64
    /// Used so far in the window.
    public var count: Int64

    public init(type: String, interval: String, intervalCount: Int64, limit: Int64, count: Int64) {
        self.type = type
        self.interval = interval
        self.intervalCount = intervalCount
        self.limit = limit
        self.count = count
    }

    public var description: String { "\(type) \(count)/\(limit) per \(intervalCount) \(interval.lowercased())" }
}
