import CastorCore

/// A local order as the reconciler sees it.
public struct LocalOrderView: Sendable, Hashable {
    public let clientOrderID: ClientOrderID
    public let orderID: VenueOrderID?
    public let symbol: Symbol
    public let phase: OrderPhase

    public init(clientOrderID: ClientOrderID, orderID: VenueOrderID?, symbol: Symbol, phase: OrderPhase) {
        self.clientOrderID = clientOrderID
        self.orderID = orderID
        self.symbol = symbol
        self.phase = phase
    }
}

/// An open order as the exchange reported it: an `initial` order event or a `/v1/orders` row.
public enum OpenOrderReport: Sendable, Hashable {
    case status(OrderSnapshot)
    case event(OrderReport)

    public var orderID: VenueOrderID {
        switch self {
        case .status(let s): s.orderID
        case .event(let e): e.orderID
        }
    }

    public var clientOrderID: String? {
        switch self {
        case .status(let s): s.clientOrderID
        case .event(let e): e.clientOrderID
        }
    }
}

/// Everything learnt from the exchange after a (re)connect.
public struct ReconciliationInput: Sendable {
    /// Orders not yet closed locally (`OrderManager.localOrders`).
    public var local: [LocalOrderView]
    /// The exchange's open orders: the `initial` snapshot or `/v1/orders`.
    public var exchangeOpen: [OpenOrderReport]
    /// `/v1/mytrades` since `FillLedger.lastFillTimestampMs`, per requested symbol (the
    /// symbol fills in for old rows without one).
    public var myTrades: [Symbol: [TradeReport]]
    /// Status lookups (by order id) already made for orders that vanished; a second pass
    /// with these turns `vanished` entries into `resolved` ones.
    public var statusByOrderID: [VenueOrderID: OrderSnapshot]
    /// The client order id prefix of this daemon: open orders with it but no local intent
    /// are orphans of ours; anything else (UI, other bots) is foreign.
    public var ourPrefix: String
    /// Local orders the open list cannot speak for: their new-order request was in flight
    /// when the list was taken, or they were placed after it. Their absence from the list
    /// means nothing (the exchange may have accepted them a moment later, and the REST
    /// reply binding their order id may already have arrived), so they are never counted
    /// as vanished or looked up; a listing still matches them. Empty: every local order was
    /// settled when the list was taken.
    public var racingSnapshot: Set<ClientOrderID>

    public init(local: [LocalOrderView], exchangeOpen: [OpenOrderReport], myTrades: [Symbol: [TradeReport]] = [:],
                statusByOrderID: [VenueOrderID: OrderSnapshot] = [:], ourPrefix: String,
                racingSnapshot: Set<ClientOrderID> = []) {
        self.local = local
        self.exchangeOpen = exchangeOpen
        self.myTrades = myTrades
        self.statusByOrderID = statusByOrderID
        self.ourPrefix = ourPrefix
        self.racingSnapshot = racingSnapshot
    }

    /// The local orders the open list taken now would speak for (see `racingSnapshot`):
    /// every order not closed that has its exchange order id or is uncertain (its request
    /// ended ambiguously); one with neither still has its new-order request in flight.
    /// Take it when the list is requested; at reconciliation, the others are `racing`.
    public static func settled(_ local: [LocalOrderView]) -> Set<ClientOrderID> {
        Set(local.filter { $0.phase != .closed && ($0.orderID != nil || $0.phase == .uncertain) }.map(\.clientOrderID))
    }

    /// The orders of `local` not in `settled`: placed or still in flight when the list was taken.
    public static func racing(settled: Set<ClientOrderID>, local: [LocalOrderView]) -> Set<ClientOrderID> {
        Set(local.map(\.clientOrderID).filter { !settled.contains($0) })
    }
}

/// What to do to bring local state in line with the exchange. Apply with
/// `OrderManager.apply(_:now:)`.
public struct ReconciliationPlan: Sendable {
    /// Fills whose trade ids the ledger has not counted, deduplicated, oldest first.
    public internal(set) var fills: [LedgerFill] = []
    /// Local orders the exchange lists as open (update them; may bind an order id, or
    /// reveal a duplicate when the client order id matches another order id).
    public internal(set) var open: [(ClientOrderID, OpenOrderReport)] = []
    /// Local orders gone from the open list, with a status lookup answer: apply it.
    public internal(set) var resolved: [(ClientOrderID, OrderSnapshot)] = []
    /// Local orders gone from the open list without a lookup yet: query by order id.
    public internal(set) var vanished: [(ClientOrderID, VenueOrderID)] = []
    /// Uncertain local orders (no order id) absent from the open list: look up by client order id.
    public internal(set) var lookUpByClientOrderID: [ClientOrderID] = []
    /// Open exchange orders with our prefix that no local intent owns.
    public internal(set) var unknownOurs: [OpenOrderReport] = []
    /// Open exchange orders that are not ours (website, other programs): left alone.
    public internal(set) var foreign: [OpenOrderReport] = []
    /// `/v1/mytrades` rows reversed by the exchange (`break: full`): not counted.
    public internal(set) var brokenTrades: [TradeReport] = []
    /// `/v1/mytrades` rows that cannot be counted (a value out of range, a product or a
    /// running total that would overflow), with why: log and count them; never applied.
    public internal(set) var rejectedTrades: [RejectedTrade] = []
}

/// A `/v1/mytrades` row refused by reconciliation, and why.
public struct RejectedTrade: Sendable, Hashable {
    public let trade: TradeReport
    public let reason: String
}

/// Pure reconciliation after start-up and every reconnect (§6.4).
public enum Reconciler {
    public static func plan(_ input: ReconciliationInput, ledger: FillLedger) -> ReconciliationPlan {
        var plan = ReconciliationPlan()

        // Fills: new trade ids only.
        var seen = Set<TradeID>()
        for symbol in input.myTrades.keys.sorted() {
            for trade in input.myTrades[symbol] ?? [] {
                if trade.isFullyBroken { plan.brokenTrades.append(trade); continue }
                if let reason = LedgerFill.rejection(of: trade) {
                    if !ledger.contains(TradeID(trade.tradeID)) { plan.rejectedTrades.append(RejectedTrade(trade: trade, reason: reason)) }
                    continue
                }
                guard let fill = LedgerFill(trade: trade, knownSymbol: symbol) else { continue }
                guard !ledger.contains(fill.tradeID), seen.insert(fill.tradeID).inserted else { continue }
                if let reason = ledger.refusal(of: fill) {
                    plan.rejectedTrades.append(RejectedTrade(trade: trade, reason: reason))
                    continue
                }
                plan.fills.append(fill)
            }
        }
        plan.fills.sort { ($0.timestampMs ?? 0, $0.tradeID) < ($1.timestampMs ?? 0, $1.tradeID) }

        // Orders.
        var claimed = Set<VenueOrderID>()  // exchange order ids matched to a local order
        var openByClientID: [String: [OpenOrderReport]] = [:]
        var openByOrderID: [VenueOrderID: OpenOrderReport] = [:]
        for r in input.exchangeOpen {
            openByOrderID[r.orderID] = r
            if let c = r.clientOrderID { openByClientID[c, default: []].append(r) }
        }
        for l in input.local.sorted(by: { $0.clientOrderID < $1.clientOrderID }) where l.phase != .closed {
            let sameClientID = openByClientID[l.clientOrderID.rawValue] ?? []
            for r in sameClientID where claimed.insert(r.orderID).inserted { plan.open.append((l.clientOrderID, r)) }
            if let orderID = l.orderID {
                if let r = openByOrderID[orderID] {
                    if claimed.insert(orderID).inserted { plan.open.append((l.clientOrderID, r)) }
                } else {
                    if let status = input.statusByOrderID[orderID] {
                        plan.resolved.append((l.clientOrderID, status))
                    } else if l.phase.isOpen, !input.racingSnapshot.contains(l.clientOrderID) {
                        plan.vanished.append((l.clientOrderID, orderID))
                    }
                }
            } else if sameClientID.isEmpty, l.phase == .uncertain, !input.racingSnapshot.contains(l.clientOrderID) {
                plan.lookUpByClientOrderID.append(l.clientOrderID)
            }
        }
        for r in input.exchangeOpen where !claimed.contains(r.orderID) {
            let ours = r.clientOrderID.flatMap(ClientOrderID.init).flatMap(ClientOrderIDGenerator.parse)?.prefix == input.ourPrefix
            if ours { plan.unknownOurs.append(r) } else { plan.foreign.append(r) }
        }
        return plan
    }
}
