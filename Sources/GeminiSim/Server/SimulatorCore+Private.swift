import CastorCore

/// The outcome of a private request: a body or an error, and whether a fault swallows it.
struct PrivateOutcome: Sendable {
    var status = 200
    var body: GeminiJSON
    /// Set when the request was executed but its response must be dropped (fault).
    var dropped: FaultConfig.DroppedResponse?

    static func error(_ reply: GeminiErrorReply) -> PrivateOutcome {
        PrivateOutcome(status: reply.status, body: reply.body)
    }
}

extension SimulatorCore {
    /// Private endpoints and the roles that may call them (API.md §2.4, §3).
    static let privateEndpoints: [String: [SimAPIKeyConfig.Role]] = [
        "/v1/order/new": [.trader],
        "/v1/order/cancel": [.trader],
        "/v1/order/cancel/session": [.trader],
        "/v1/order/cancel/all": [.trader],
        "/v1/heartbeat": [.trader],
        "/v1/order/status": [.trader, .auditor],
        "/v1/orders": [.trader, .auditor],
        "/v1/mytrades": [.trader, .auditor],
        "/v1/balances": [.trader, .fundManager, .auditor],
        "/v1/notionalvolume": [.trader, .fundManager, .auditor],
        "/v1/roles": [.trader, .fundManager, .auditor],
    ]

    /// Authenticates and executes one private request. `headers` maps lower-case names.
    func handlePrivate(path: String, headers: [String: String]) -> PrivateOutcome {
        guard let allowed = Self.privateEndpoints[path] else { return .error(.endpointNotFound(path)) }
        let auth: AuthenticatedRequest
        switch authenticator.authenticate(path: path, header: { headers[$0.lowercased()] },
                                          nowMilliseconds: clock.nowMilliseconds()) {
        case .failure(let reply):
            log(SimLogRecord(level: .info, event: "auth.rejected", fields: [("path", path), ("reason", reply.reason)]))
            return .error(reply)
        case .success(let request): auth = request
        }
        touchSession(auth.key)
        traffic.privatePaths["key:\(auth.key.key)", default: [:]][path, default: 0] += 1
        guard auth.key.roles.contains(where: allowed.contains) else {
            return .error(.missingRole(required: allowed.map(\.rawValue), key: auth.key.key, has: auth.key.roles.map(\.rawValue)))
        }
        if auth.payload["account"] != nil {
            return .error(.badRequest("AccountsOnGroupOnlyApi", "The 'account' field may only be used with a master API key"))
        }
        guard let account = accountIds[auth.accountName] else {
            return .error(.badRequest("InvalidAccountName", "Account \(auth.accountName) does not exist"))
        }
        defer { publishEvents() }
        let payload = auth.payload
        do {
            switch path {
            case "/v1/order/new":
                let request = try Self.orderRequest(payload)
                let dropped = faults.drawDropResponse()
                var outcome = PrivateOutcome(body: GeminiWireFormat.order(try engine.placeOrder(request, account: account, session: auth.key.key)))
                outcome.dropped = dropped
                if dropped != nil { traffic.droppedResponses += 1 }
                return outcome
            case "/v1/order/cancel":
                let id = try Self.orderId(payload["order_id"])
                return PrivateOutcome(body: GeminiWireFormat.order(try engine.cancelOrder(orderId: id, account: account), includeReason: true))
            case "/v1/order/cancel/session":
                return PrivateOutcome(body: GeminiWireFormat.cancelSummary(engine.cancelSession(account: account, session: auth.key.key)))
            case "/v1/order/cancel/all":
                return PrivateOutcome(body: GeminiWireFormat.cancelSummary(engine.cancelAll(account: account)))
            case "/v1/order/status":
                return PrivateOutcome(body: try orderStatus(payload, account: account))
            case "/v1/orders":
                return PrivateOutcome(body: .array(engine.activeOrders(account: account).map { GeminiWireFormat.order($0) }))
            case "/v1/mytrades":
                return PrivateOutcome(body: try myTrades(payload, account: account))
            case "/v1/balances":
                return PrivateOutcome(body: .array(engine.balances(account: account).map(GeminiWireFormat.balance)))
            case "/v1/notionalvolume":
                return PrivateOutcome(body: notionalVolume(account: account))
            case "/v1/roles":
                let roles = auth.key.roles
                return PrivateOutcome(body: .object([("isAuditor", .bool(roles.contains(.auditor))),
                                                     ("isFundManager", .bool(roles.contains(.fundManager))),
                                                     ("isTrader", .bool(roles.contains(.trader)))]))
            case "/v1/heartbeat":
                return PrivateOutcome(body: .object([("result", .string("ok"))]))
            default:
                return .error(.endpointNotFound(path))
            }
        } catch let error as SimError {
            return .error(GeminiErrorReply(status: error.httpStatus, reason: error.reason, message: error.message))
        } catch let reply as GeminiErrorReply {
            return .error(reply)
        } catch {
            return .error(.system(status: 500))
        }
    }

    /// `/v1/order/new` payload → engine request, with the type checks Gemini does first.
    static func orderRequest(_ p: GeminiJSON) throws(GeminiErrorReply) -> SimOrderRequest {
        var clientOrderId: String?
        if let cid = p["client_order_id"], cid != .null {
            guard let text = cid.stringValue else {
                throw .badRequest("ClientOrderIdMustBeString", "client_order_id must be a string, got \(cid.serialized)")
            }
            clientOrderId = text
        }
        var options: [String] = []
        if let raw = p["options"], raw != .null {
            guard let items = raw.arrayValue else { throw .badRequest("OptionsMustBeArray", "options must be an array, got \(raw.serialized)") }
            for item in items {
                guard let text = item.stringValue else { throw .badRequest("UnsupportedOption", "Option \(item.serialized) is not supported") }
                options.append(text)
            }
        }
        guard let symbol = p["symbol"]?.stringValue else { throw .badRequest("InvalidSymbol", "Missing or invalid symbol") }
        guard let amount = p["amount"]?.numberOrStringText else { throw .badRequest("InvalidQuantity", "Missing amount") }
        guard let price = p["price"]?.numberOrStringText else { throw .badRequest("InvalidPrice", "Missing price") }
        guard let side = p["side"]?.stringValue else { throw .badRequest("InvalidSide", "Missing side") }
        guard let type = p["type"]?.stringValue else { throw .badRequest("InvalidOrderType", "Missing order type") }
        return SimOrderRequest(symbol: symbol, amount: amount, price: price, side: side, type: type, options: options,
                               stopPrice: p["stop_price"]?.numberOrStringText, clientOrderId: clientOrderId)
    }

    /// An `order_id` given as a JSON integer (or a string of digits, which clients also send).
    static func orderId(_ value: GeminiJSON?) throws(GeminiErrorReply) -> Int64 {
        guard let value, value != .null else { throw .badRequest("MissingOrderField", "Missing order_id") }
        guard let text = value.numberOrStringText, let id = Int64(text) else {
            throw .badRequest("InvalidOrderId", "Invalid order_id: \(value.serialized)")
        }
        return id
    }

    /// One order object by `order_id`; by `client_order_id` an array of every order carrying
    /// it (API.md §3.4), as Gemini answers.
    func orderStatus(_ p: GeminiJSON, account: Int64) throws -> GeminiJSON {
        let includeTrades = p["include_trades"]?.boolValue ?? false
        let byId = p["order_id"].flatMap { $0 == .null ? nil : $0 }
        let byClient = p["client_order_id"].flatMap { $0 == .null ? nil : $0 }
        if byId != nil, byClient != nil {
            throw GeminiErrorReply.badRequest("ConflictingOrderFields", "Specify order_id or client_order_id, not both")
        }
        if let byClient {
            guard let cid = byClient.stringValue else {
                throw GeminiErrorReply.badRequest("ClientOrderIdMustBeString", "client_order_id must be a string, got \(byClient.serialized)")
            }
            return .array(try engine.orders(clientOrderId: cid, account: account, includeTrades: includeTrades)
                .map { GeminiWireFormat.order($0) })
        }
        return GeminiWireFormat.order(try engine.orderStatus(orderId: try Self.orderId(byId), account: account,
                                                             includeTrades: includeTrades))
    }

    func myTrades(_ p: GeminiJSON, account: Int64) throws(GeminiErrorReply) -> GeminiJSON {
        var limit = 50
        if let raw = p["limit_trades"], raw != .null {
            guard let text = raw.numberOrStringText, let n = Int(text), n > 0 else {
                throw .badRequest("InvalidLimitTrades", "limit_trades must be a positive integer")
            }
            limit = min(n, 500)
        }
        var since: Int64 = 0
        if let raw = p["timestamp"], raw != .null {
            guard let text = raw.numberOrStringText, let value = ExactDecimal(text), !value.isNegative,
                  let ms = Self.milliseconds(fromSecondsOrMs: value) else {
                throw .badRequest("InvalidTimestampInPayload", "Invalid timestamp in payload: \(raw.serialized)")
            }
            since = ms
        }
        let symbol = p["symbol"]?.stringValue
        if let symbol, engine.symbol(symbol) == nil { throw .invalidSymbol(symbol) }
        return .array(engine.myTrades(account: account, symbol: symbol, sinceMs: since, limit: limit).map(GeminiWireFormat.myTrade))
    }

    /// Gemini accepts timestamps in seconds or milliseconds; anything below 10^11 is seconds.
    static func milliseconds(fromSecondsOrMs value: ExactDecimal) -> Int64? {
        let whole = value.quantized(toStep: ExactDecimal(1), rule: .down) ?? value
        guard let integer = Int64(whole.normalized.description) else { return nil }
        return integer < 100_000_000_000 ? integer * 1_000 : integer
    }

    func notionalVolume(account: Int64) -> GeminiJSON {
        let v = engine.notionalVolume(account: account) ?? SimNotionalVolume(makerFeeBps: config.makerFeeBps, takerFeeBps: config.takerFeeBps,
                                                                            notionalVolume: .zero, lastUpdatedMs: 0)
        let now = clock.nowMilliseconds()
        let date = Self.isoDate(milliseconds: now)
        let volume = GeminiWireFormat.decimalNumber(v.notionalVolume)
        return .object([
            ("web_maker_fee_bps", .int(25)), ("web_taker_fee_bps", .int(35)), ("web_auction_fee_bps", .int(25)),
            ("api_maker_fee_bps", .int(v.makerFeeBps)), ("api_taker_fee_bps", .int(v.takerFeeBps)),
            ("api_auction_fee_bps", .int(20)),
            ("fix_maker_fee_bps", .int(v.makerFeeBps)), ("fix_taker_fee_bps", .int(v.takerFeeBps)),
            ("fix_auction_fee_bps", .int(20)),
            ("notional_30d_volume", volume), ("api_notional_30d_volume", volume),
            ("last_updated_ms", .int(v.lastUpdatedMs > 0 ? v.lastUpdatedMs : now)),
            ("date", .string(date)),
            ("notional_1d_volume", .array([.object([("date", .string(date)), ("notional_volume", volume)])])),
        ])
    }

    static func isoDate(milliseconds: Int64) -> String {
        // Civil-from-days (Howard Hinnant): no Foundation calendar, no time zone surprises.
        let days = Int(milliseconds / 86_400_000)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(y)-\(two(m))-\(two(d))"
    }
}
