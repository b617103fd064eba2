import CastorCore
import CastorFeeds
import CoreMetrics
import Dispatch

/// The engine's Prometheus-style instruments (swift-metrics), made from the factory the
/// daemon passes (`PrometheusMetricsFactory` when `[metrics] listen` is set, else no-ops).
///
/// Instruments per symbol and side are made once per symbol, the first time it is seen, so
/// recording on the order and fill paths allocates nothing after that; the market-data path
/// records nothing but a clock read for `castor_tick_to_order_seconds`. Gauges that follow
/// state (open orders, positions, PnL, feed age) are set by the 1 s tick.
///
/// Confined to the engine queue.
final class EngineMetrics {
    private let factory: any MetricsFactory
    private struct PerSymbol {
        let orders: [Side: Counter]
        let fills: [Side: Counter]
        let position: Gauge
        let realized: Gauge
        let unrealized: Gauge
        let fees: Gauge
    }
    private var symbols: [Symbol: PerSymbol] = [:]
    private var feedConnected: [String: Gauge] = [:]
    private var feedReconnects: [String: Counter] = [:]
    private var feedAge: [String: Gauge] = [:]
    private var requests: [String: Counter] = [:]
    private var refusals: [String: Counter] = [:]
    private let rateLimited: Counter
    private let openOrders: Gauge
    private let killSwitch: Gauge
    private let tickToOrder: CoreMetrics.Timer
    /// `uptimeNanoseconds` when the market-data message being handled arrived; 0 outside one.
    var tickStartNs: UInt64 = 0

    init(factory: any MetricsFactory) {
        self.factory = factory
        rateLimited = Counter(label: "castor_rest_rate_limited_total", factory: factory)
        openOrders = Gauge(label: "castor_open_orders", factory: factory)
        killSwitch = Gauge(label: "castor_kill_switch_engaged", factory: factory)
        tickToOrder = CoreMetrics.Timer(label: "castor_tick_to_order_seconds", factory: factory)
    }

    private func perSymbol(_ symbol: Symbol) -> PerSymbol {
        if let made = symbols[symbol] { return made }
        let s = symbol.rawValue
        func bySide(_ label: String) -> [Side: Counter] {
            [.buy: Counter(label: label, dimensions: [("symbol", s), ("side", "buy")], factory: factory),
             .sell: Counter(label: label, dimensions: [("symbol", s), ("side", "sell")], factory: factory)]
        }
        let made = PerSymbol(
            orders: bySide("castor_orders_total"), fills: bySide("castor_fills_total"),
            position: Gauge(label: "castor_position", dimensions: [("symbol", s)], factory: factory),
            realized: Gauge(label: "castor_pnl_realized", dimensions: [("symbol", s)], factory: factory),
            unrealized: Gauge(label: "castor_pnl_unrealized", dimensions: [("symbol", s)], factory: factory),
            fees: Gauge(label: "castor_fees_paid", dimensions: [("symbol", s)], factory: factory))
        symbols[symbol] = made
        return made
    }

    func orderSent(_ symbol: Symbol, _ side: Side) {
        perSymbol(symbol).orders[side]?.increment()
        orderRequestQueued()
    }

    /// A new order or a cancel queued: the first one inside a market-data message is that
    /// message's tick-to-order, one sample a message. A cancel counts because a quoting
    /// strategy's first answer to a move is cancelling its quotes; it places the new ones
    /// when the cancels are confirmed, outside the message.
    func orderRequestQueued() {
        guard tickStartNs != 0 else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        if now >= tickStartNs { tickToOrder.recordNanoseconds(Int64(clamping: now - tickStartNs)) }
        tickStartNs = 0
    }

    func fill(_ symbol: Symbol, _ side: Side) { perSymbol(symbol).fills[side]?.increment() }

    func request(_ label: String) {
        if let c = requests[label] { return c.increment() }
        let c = Counter(label: "castor_rest_requests_total", dimensions: [("request", label)], factory: factory)
        requests[label] = c
        c.increment()
    }

    func rateLimitedAnswer() { rateLimited.increment() }

    func riskRefusal(_ rule: String) {
        if let c = refusals[rule] { return c.increment() }
        let c = Counter(label: "castor_risk_refusals_total", dimensions: [("rule", rule)], factory: factory)
        refusals[rule] = c
        c.increment()
    }

    func feedState(_ feed: String, _ state: FeedConnectionState) {
        let gauge = feedConnected[feed] ?? Gauge(label: "castor_feed_connected", dimensions: [("feed", feed)], factory: factory)
        feedConnected[feed] = gauge
        if case .live = state { gauge.record(1) } else { gauge.record(0) }
        if case .reconnecting = state {
            let c = feedReconnects[feed] ?? Counter(label: "castor_feed_reconnects_total", dimensions: [("feed", feed)], factory: factory)
            feedReconnects[feed] = c
            c.increment()
        }
    }

    /// The 1 s tick's gauges.
    func sample(openOrders count: Int, killSwitch engaged: Bool, feedAgesMs: [(String, Int64?)],
                positions: [(Symbol, Double, realized: Double, unrealized: Double, fees: Double)]) {
        openOrders.record(count)
        killSwitch.record(engaged ? 1 : 0)
        for (feed, age) in feedAgesMs {
            let gauge = feedAge[feed] ?? Gauge(label: "castor_feed_last_message_age_seconds", dimensions: [("feed", feed)], factory: factory)
            feedAge[feed] = gauge
            gauge.record(Double(age ?? -1_000) / 1_000)
        }
        for p in positions {
            let m = perSymbol(p.0)
            m.position.record(p.1)
            m.realized.record(p.realized)
            m.unrealized.record(p.unrealized)
            m.fees.record(p.fees)
        }
    }
}
