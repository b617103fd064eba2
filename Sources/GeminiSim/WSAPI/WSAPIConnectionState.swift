/// What the hub keeps about one open WebSocket API connection (confined to the hub's lock).
struct WSAPIConnectionState: Sendable {
    let outbox: FeedOutbox
    let identity: WSAPIIdentity?
    let query: WSAPIConnectionQuery
    /// The CONNECTION_ATTEMPTS bucket it was counted in (`key:…` or `ip:…`), for `conninfo`.
    let attemptBucket: String
    /// Subscribed streams in subscription order (`list_subscriptions`).
    var streams: [WSAPIStream] = []
    /// The differential-depth subscriptions' batching state.
    var depth: [WSAPIStream: WSAPIDepthChannel] = [:]
    /// Depth streams subscribed before on this connection: a resubscribe acks first and
    /// sends its snapshot after (WS-API.md §2.2).
    var everDepth: Set<WSAPIStream> = []
    /// REQUEST_WEIGHT of this connection.
    var weight = WSAPIRateWindow(lengthMs: 10_000)

    init(outbox: FeedOutbox, identity: WSAPIIdentity?, query: WSAPIConnectionQuery, attemptBucket: String) {
        self.outbox = outbox
        self.identity = identity
        self.query = query
        self.attemptBucket = attemptBucket
    }

    func subscribes(_ stream: WSAPIStream) -> Bool { streams.contains(stream) }

    /// Whether an event of `account`'s order placed on `connection` goes to this connection
    /// (`orders@account`: every order of the account; `orders@session`: this connection's).
    func wantsOrder(account: Int64, placedOn connection: UInt64?, myId: UInt64) -> Bool {
        guard identity?.accountId == account else { return false }
        if streams.contains(.ordersAccount) { return true }
        return connection == myId && streams.contains(.ordersSession)
    }
}
