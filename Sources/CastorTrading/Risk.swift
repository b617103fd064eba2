import CastorCore

/// Limits for one symbol. `nil` disables a limit.
public struct RiskCheckLimits: Sendable, Hashable {
    /// Largest price × amount of one order, in quote currency.
    public var maxOrderNotional: ExactDecimal?
    /// Largest |position| in base currency if this order and every open order on the same
    /// side filled completely.
    public var maxPosition: ExactDecimal?
    /// Most open (or possibly open) orders at once in the symbol.
    public var maxOpenOrders: Int?
    /// Largest distance of the limit price from mid, in basis points (fat-finger guard).
    public var priceBandBps: Int?
    /// Most new orders accepted by the checker in any sliding 60 s window.
    public var maxOrdersPerMinute: Int?

    public init(maxOrderNotional: ExactDecimal? = nil, maxPosition: ExactDecimal? = nil, maxOpenOrders: Int? = nil,
                priceBandBps: Int? = nil, maxOrdersPerMinute: Int? = nil) {
        self.maxOrderNotional = maxOrderNotional
        self.maxPosition = maxPosition
        self.maxOpenOrders = maxOpenOrders
        self.priceBandBps = priceBandBps
        self.maxOrdersPerMinute = maxOrdersPerMinute
    }

    /// Conservative defaults: every check on.
    public static let conservative = RiskCheckLimits(maxOrderNotional: 1_000, maxPosition: 1, maxOpenOrders: 10,
                                                priceBandBps: 200, maxOrdersPerMinute: 60)
}

/// The rule that refused an order.
public enum RiskRule: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case killSwitch = "kill_switch"
    case invalidOrder = "invalid_order"
    case maxOrderNotional = "max_order_notional"
    case maxPosition = "max_position"
    case maxOpenOrders = "max_open_orders"
    /// The price band is enabled but no mid price is known: refuse rather than trade blind.
    case noMidPrice = "no_mid_price"
    case priceBand = "price_band"
    case orderRate = "order_rate"

    public var description: String { rawValue }
}

public enum RiskDecision: Sendable, Hashable {
    case allow
    case refuse(RiskRule, detail: String)

    public var isAllowed: Bool { self == .allow }
}

/// The state of the world an order is checked against.
public struct RiskContext: Sendable, Hashable {
    /// Current mid price; nil when the book is empty, one-sided or stale.
    public var mid: ExactDecimal?
    /// Signed position in base currency.
    public var position: ExactDecimal
    /// Open (or possibly open) orders in the symbol.
    public var openOrders: Int
    /// Unfilled base amount of open buy / sell orders.
    public var openBuyAmount: ExactDecimal
    public var openSellAmount: ExactDecimal

    public init(mid: ExactDecimal?, position: ExactDecimal = .zero, openOrders: Int = 0,
                openBuyAmount: ExactDecimal = .zero, openSellAmount: ExactDecimal = .zero) {
        self.mid = mid
        self.position = position
        self.openOrders = openOrders
        self.openBuyAmount = openBuyAmount
        self.openSellAmount = openSellAmount
    }
}

/// Pre-trade checks. Cancels are always allowed (they only reduce risk).
public struct RiskChecker: Sendable {
    public var defaultLimits: RiskCheckLimits
    public var limitsBySymbol: [Symbol: RiskCheckLimits]
    /// While engaged every new order is refused.
    public private(set) var killSwitchEngaged = false
    public private(set) var killSwitchReason: String?
    /// Accepted order times per symbol within the last minute.
    private var recent: [Symbol: [Int64]] = [:]

    public static let rateWindowMs: Int64 = 60_000

    public init(defaultLimits: RiskCheckLimits = .conservative, limitsBySymbol: [Symbol: RiskCheckLimits] = [:]) {
        self.defaultLimits = defaultLimits
        self.limitsBySymbol = limitsBySymbol
    }

    public func limits(for symbol: Symbol) -> RiskCheckLimits { limitsBySymbol[symbol] ?? defaultLimits }

    public mutating func engageKillSwitch(reason: String) {
        killSwitchEngaged = true
        killSwitchReason = reason
    }

    public mutating func releaseKillSwitch() {
        killSwitchEngaged = false
        killSwitchReason = nil
    }

    /// Cancels never pass through a risk limit.
    public func checkCancel() -> RiskDecision { .allow }

    /// Checks without recording anything.
    public func check(_ order: OrderIntent, context: RiskContext, now: Int64) -> RiskDecision {
        if killSwitchEngaged {
            return .refuse(.killSwitch, detail: "kill switch engaged: \(killSwitchReason ?? "no reason given")")
        }
        guard order.amount.isPositive, order.price.isPositive else {
            return .refuse(.invalidOrder, detail: "amount \(order.amount) and price \(order.price) must be positive")
        }
        let l = limits(for: order.symbol)
        // Prices and amounts come from strategies and mids from the market-data feed: every
        // product and sum here uses the overflow-reporting forms, and a value too large to
        // compute is refused by the limit it would have been checked against.
        if let max = l.maxOrderNotional {
            guard let notional = order.price.multipliedReportingOverflow(by: order.amount) else {
                return .refuse(.maxOrderNotional, detail: "notional of \(order.amount) at \(order.price) is too large to compute")
            }
            if notional > max { return .refuse(.maxOrderNotional, detail: "notional \(notional) > \(max)") }
        }
        if let max = l.maxPosition {
            let worst = order.side == .buy
                ? context.position.addingReportingOverflow(context.openBuyAmount)?.addingReportingOverflow(order.amount)
                : context.position.subtractingReportingOverflow(context.openSellAmount)?.subtractingReportingOverflow(order.amount)
            guard let worst else {
                return .refuse(.maxPosition, detail: "position with open orders is too large to compute, |limit| \(max)")
            }
            if worst.magnitude > max {
                return .refuse(.maxPosition, detail: "position could reach \(worst), |limit| \(max)")
            }
        }
        if let max = l.maxOpenOrders, context.openOrders >= max {
            return .refuse(.maxOpenOrders, detail: "\(context.openOrders) open, limit \(max)")
        }
        if let bps = l.priceBandBps {
            guard let mid = context.mid, mid.isPositive else {
                return .refuse(.noMidPrice, detail: "price band of \(bps) bps needs a mid price; none known")
            }
            // |price − mid| · 10000 ≤ bps · mid, exactly (no division).
            guard let distance = order.price.subtractingReportingOverflow(mid)?.magnitude
                    .multipliedReportingOverflow(by: ExactDecimal(10_000)),
                  let allowed = mid.multipliedReportingOverflow(by: ExactDecimal(bps)) else {
                return .refuse(.priceBand, detail: "price \(order.price) or mid \(mid) is too large to compare")
            }
            if distance > allowed {
                return .refuse(.priceBand, detail: "price \(order.price) is more than \(bps) bps from mid \(mid)")
            }
        }
        if let max = l.maxOrdersPerMinute {
            // Counted in place: this runs for every order placed.
            let since = now - Self.rateWindowMs
            let n = recent[order.symbol]?.reduce(0) { $1 > since ? $0 + 1 : $0 } ?? 0
            if n >= max {
                return .refuse(.orderRate, detail: "\(n) orders in the last minute, limit \(max)")
            }
        }
        return .allow
    }

    /// Checks and, when allowed, counts the order for the rate limit. Use this on the
    /// path that actually submits.
    public mutating func admit(_ order: OrderIntent, context: RiskContext, now: Int64) -> RiskDecision {
        let decision = check(order, context: context, now: now)
        if decision == .allow {
            // Pruned and appended in place (the dictionary's storage is not copied).
            let since = now - Self.rateWindowMs
            recent[order.symbol, default: []].removeAll { $0 <= since }
            recent[order.symbol, default: []].append(now)
        }
        return decision
    }
}
