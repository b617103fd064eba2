import CastorCore
import Foundation

/// One connection of the new WebSocket API (WS-API.md §2–§4, §6): answers its requests,
/// keeps its subscriptions in the hub, pings it, and on close cancels what it placed when
/// it asked for `cancelOnDisconnect`.
///
/// Requests are handled one at a time in arrival order. Each reply echoes the request's
/// `id` with its JSON type. A request first pays its REQUEST_WEIGHT (429/-1003 beyond the
/// connection's limit). Methods: `subscribe`, `unsubscribe`, `list_subscriptions` (also in
/// upper case), `ping`, `time`, `conninfo`, `depth`, `order.place`, `order.cancel`,
/// `order.cancel_all`, `order.cancel_session`; anything else is 400/-1020, and a frame
/// that is not a request 400/-1013.
///
/// Confinement: the actor holds the ping task; everything shared lives in the hub.
actor WSAPISession: FeedSession {
    let hub: WSAPIHub
    let outbox: FeedOutbox
    let identity: WSAPIIdentity?
    let query: WSAPIConnectionQuery
    let attemptBucket: String
    private var id: UInt64?
    private var pings: Task<Void, Never>?
    private var ended = false

    init(hub: WSAPIHub, outbox: FeedOutbox, identity: WSAPIIdentity?, query: WSAPIConnectionQuery, attemptBucket: String) {
        self.hub = hub
        self.outbox = outbox
        self.identity = identity
        self.query = query
        self.attemptBucket = attemptBucket
    }

    var core: SimulatorCore { hub.core }

    func open() async {
        guard !ended else { return }
        id = hub.register(outbox: outbox, identity: identity, query: query, attemptBucket: attemptBucket)
        startPings()
    }

    func pong() async { hub.notePong() }

    func closed() async {
        guard !ended else { return }
        ended = true
        pings?.cancel()
        pings = nil
        guard let id else { return }
        hub.unregister(id)
        if query.cancelOnDisconnect, let identity {
            let cancelled = await core.cancelWSAPIOrders(identity: identity, connection: id) { _ in }
            if !cancelled.isEmpty {
                hub.log(SimLogRecord(level: .info, event: "ws_api.cancel_on_disconnect",
                                     fields: [("connection", "\(id)"), ("cancelled", "\(cancelled.count)")]))
            }
        }
    }

    /// Protocol pings at fixed instants of the injected clock (open + period, + 2 periods,
    /// …); none while `stopHeartbeats` is set. The client's pongs are counted by the hub.
    private func startPings() {
        let period = hub.config.wsAPIPingIntervalMs
        guard period > 0 else { return }
        let clock = core.clock, outbox = outbox, feeds = hub.feeds, hub = hub
        let base = clock.nowMilliseconds()
        pings = Task {
            var due = base + period
            while !Task.isCancelled, !outbox.isClosed {
                do { try await clock.sleep(untilMilliseconds: due) } catch { return }
                due += period
                if feeds.heartbeatsStopped { continue }
                outbox.enqueueControl(.init(fin: true, opcode: .ping, mask: nil, payload: Data()))
                hub.notePing()
            }
        }
    }

    // MARK: Requests

    /// A binary frame is not a request: 400/-1013 (the API speaks JSON text frames only).
    func receivedBinary() async {
        guard let id, !ended else { return }
        guard hub.admitRequest(connection: id, weight: 1) else { return send(error: .rateLimited, id: .null) }
        send(error: .invalidParameters, id: .null)
    }

    func received(text: String) async {
        guard let id, !ended else { return }
        let request: WSAPIRequest
        do { request = try WSAPIRequest.parse(text) } catch {
            guard hub.admitRequest(connection: id, weight: 1) else { return send(error: .rateLimited, id: error.id) }
            return send(error: .invalidParameters, id: error.id)
        }
        guard hub.admitRequest(connection: id, weight: request.weight) else { return send(error: .rateLimited, id: request.id) }
        switch request.normalizedMethod {
        case "subscribe", "unsubscribe": subscription(request, connection: id)
        case "list_subscriptions": send(WSAPIWireFormat.result(id: request.id, .array(hub.subscriptionNames(connection: id).map { .string($0) })))
        case "ping": send(WSAPIWireFormat.ok(id: request.id))
        case "time":
            send(WSAPIWireFormat.result(id: request.id, .object([("serverTime", .int(core.clock.nowMilliseconds()))])))
        case "conninfo": send(WSAPIWireFormat.conninfo(id: request.id, rows: hub.rateLimitRows(connection: id)))
        case "depth": depth(request)
        case "order.place": await place(request, connection: id)
        case "order.cancel": await cancel(request)
        case "order.cancel_all", "order.cancel_session": await cancelMany(request, connection: id)
        default: send(error: .unsupportedOperation, id: request.id)
        }
    }

    /// The reply-delay fault in force (ms), read per request.
    private var replyDelay: Int64 { Int64(hub.faults.wsAPIReplyDelayMs) }

    /// Sends a reply now, or after the reply-delay fault's time on the injected clock.
    private func send(_ reply: String) {
        let delay = replyDelay
        guard delay > 0 else {
            outbox.enqueueUnnumbered(reply)
            return
        }
        let clock = core.clock, outbox = outbox
        let due = clock.nowMilliseconds() + delay
        Task {
            do { try await clock.sleep(untilMilliseconds: due) } catch { return }
            outbox.enqueueUnnumbered(reply)
        }
    }

    private func send(error: WSAPIError, id: GeminiJSON) { send(WSAPIWireFormat.error(id: id, error)) }

    /// A (un)subscribe: every name must be a stream the simulator serves (else the whole
    /// frame is refused, naming the first bad one) and private streams need an
    /// authenticated connection whose key is Trader or Auditor.
    private func subscription(_ request: WSAPIRequest, connection id: UInt64) {
        guard let names = request.streamNames else { return send(error: .invalidParameters, id: request.id) }
        let streams: [WSAPIStream]
        switch hub.streams(names) {
        case .failure(let error): return send(error: error, id: request.id)
        case .success(let parsed): streams = parsed
        }
        if streams.contains(where: \.isPrivate) {
            guard let identity else { return send(error: .authenticationRequired, id: request.id) }
            guard identity.canReadAccount else { return send(error: .authenticationRequired, id: request.id) }
        }
        let ack = WSAPIWireFormat.ok(id: request.id)
        let now = replyDelay == 0
        if request.normalizedMethod == "subscribe" {
            hub.subscribe(connection: id, streams: streams, ack: now ? ack : nil)
        } else {
            hub.unsubscribe(connection: id, streams: streams, ack: now ? ack : nil)
        }
        if !now { send(ack) }
    }

    /// `depth` `{symbol, limit 1…5000 (100)}` → `{lastUpdateId, bids, asks}`.
    private func depth(_ request: WSAPIRequest) {
        guard let params = request.params, case .object = params, let name = params["symbol"]?.stringValue,
              let symbol = hub.symbol(named: name) else { return send(error: .invalidParameters, id: request.id) }
        var limit = 100
        if let raw = params["limit"], raw != .null {
            guard case .number(let text) = raw, let n = Int(text), (1...5_000).contains(n) else {
                return send(error: .invalidParameters, id: request.id)
            }
            limit = n
        }
        send(WSAPIWireFormat.result(id: request.id, hub.depthResult(symbol: symbol, limit: limit)))
    }

    /// The identity allowed to use `order.*`, or the error to answer with.
    private func trader() -> Result<WSAPIIdentity, WSAPIError> {
        guard let identity else { return .failure(.authenticationRequired) }
        guard identity.canTrade else { return .failure(.traderRoleRequired) }
        return .success(identity)
    }

    /// `order.place`: checked, counted against ORDERS, placed; the reply (200 without a
    /// result, or 400/-2010) is queued before the order's events unless a fault delays it
    /// or closes the connection first.
    private func place(_ request: WSAPIRequest, connection id: UInt64) async {
        let identity: WSAPIIdentity
        switch trader() {
        case .failure(let error): return send(error: error, id: request.id)
        case .success(let who): identity = who
        }
        let params: WSAPIOrderParams
        do { params = try WSAPIOrderParams(request.params, connection: id, symbolNamed: hub.symbol(named:)) } catch {
            return send(error: error, id: request.id)
        }
        guard hub.admitOrder(key: identity.key.key) else { return send(error: .rateLimited, id: request.id) }
        let immediate = replyDelay == 0
        let outbox = outbox, requestId = request.id
        let placement = await core.placeWSAPIOrder(params.request, identity: identity) { placement in
            if case .connectionClosed = placement {
                outbox.close(.dropped)
            } else if immediate, let reply = placement.reply(id: requestId) {
                outbox.enqueueUnnumbered(reply)
            }
        }
        if !immediate, let reply = placement.reply(id: request.id) { send(reply) }
    }

    /// `order.cancel {orderId}` (a string of digits or an integer).
    private func cancel(_ request: WSAPIRequest) async {
        let identity: WSAPIIdentity
        switch trader() {
        case .failure(let error): return send(error: error, id: request.id)
        case .success(let who): identity = who
        }
        guard let params = request.params, case .object = params, let raw = params["orderId"],
              let text = raw.numberOrStringText, let orderId = Int64(text) else {
            return send(error: .invalidParameters, id: request.id)
        }
        let immediate = replyDelay == 0
        let outbox = outbox, requestId = request.id
        let cancelled = await core.cancelWSAPIOrder(orderId, identity: identity) { cancelled in
            guard immediate else { return }
            outbox.enqueueUnnumbered(cancelled ? WSAPIWireFormat.ok(id: requestId) : WSAPIWireFormat.error(id: requestId, .orderNotFound))
        }
        if !immediate { send(cancelled ? WSAPIWireFormat.ok(id: request.id) : WSAPIWireFormat.error(id: request.id, .orderNotFound)) }
    }

    /// `order.cancel_all` (the account's orders) and `order.cancel_session` (this
    /// connection's); 200 without a result, whether or not anything was open.
    private func cancelMany(_ request: WSAPIRequest, connection id: UInt64) async {
        let identity: WSAPIIdentity
        switch trader() {
        case .failure(let error): return send(error: error, id: request.id)
        case .success(let who): identity = who
        }
        let immediate = replyDelay == 0
        let outbox = outbox, reply = WSAPIWireFormat.ok(id: request.id)
        let scope: UInt64? = request.normalizedMethod == "order.cancel_session" ? id : nil
        await core.cancelWSAPIOrders(identity: identity, connection: scope) { _ in
            if immediate { outbox.enqueueUnnumbered(reply) }
        }
        if !immediate { send(reply) }
    }
}
