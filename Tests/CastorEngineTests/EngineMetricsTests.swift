import CastorCore
import CastorFeeds
import Prometheus
import Testing
@testable import CastorEngine

/// The engine's instruments as Prometheus exposes them (swift-metrics over swift-prometheus).
@Suite struct EngineMetricsTests {
    @Test func ordersFillsFeedsAndGaugesAppearWithTheirLabels() {
        let registry = PrometheusCollectorRegistry()
        let metrics = EngineMetrics(factory: PrometheusMetricsFactory(registry: registry))
        metrics.orderSent("BTCUSD", .buy)
        metrics.orderSent("BTCUSD", .buy)
        metrics.orderSent("ETHUSD", .sell)
        metrics.fill("BTCUSD", .buy)
        metrics.feedState("market_data", .live)
        metrics.feedState("order_events", .connecting)
        metrics.request("order placement")
        metrics.riskRefusal("max_position")
        metrics.rateLimitedAnswer()
        metrics.sample(openOrders: 3, killSwitch: true, feedAgesMs: [("market_data", 1_500), ("order_events", nil)],
                       positions: [("BTCUSD", 0.5, realized: 12.25, unrealized: -1, fees: 0.1)])
        let text = registry.emitToString()
        for line in [
            #"castor_orders_total{symbol="BTCUSD",side="buy"} 2"#,
            #"castor_orders_total{symbol="ETHUSD",side="sell"} 1"#,
            #"castor_fills_total{symbol="BTCUSD",side="buy"} 1"#,
            #"castor_feed_connected{feed="market_data"} 1"#,
            #"castor_feed_connected{feed="order_events"} 0"#,
            #"castor_rest_requests_total{request="order placement"} 1"#,
            #"castor_risk_refusals_total{rule="max_position"} 1"#,
            "castor_rest_rate_limited_total 1",
            "castor_open_orders 3",
            "castor_kill_switch_engaged 1",
            #"castor_position{symbol="BTCUSD"} 0.5"#,
            #"castor_pnl_realized{symbol="BTCUSD"} 12.25"#,
            #"castor_feed_last_message_age_seconds{feed="market_data"} 1.5"#,
        ] {
            #expect(text.contains(line), "missing \(line) in:\n\(text)")
        }
    }

    @Test func anOrderSentInsideAMarketDataMessageRecordsItsTickToOrder() {
        let registry = PrometheusCollectorRegistry()
        let metrics = EngineMetrics(factory: PrometheusMetricsFactory(registry: registry))
        metrics.orderSent("BTCUSD", .buy)  // outside a message: no sample
        metrics.tickStartNs = DispatchTime.now().uptimeNanoseconds
        metrics.orderSent("BTCUSD", .buy)
        metrics.orderSent("BTCUSD", .sell)  // the same message: its first request was the sample
        var text = registry.emitToString()
        #expect(text.contains("castor_tick_to_order_seconds_count 1"), "\(text)")
        // A quoting strategy answers a move with cancels first: the cancel is the sample.
        metrics.tickStartNs = DispatchTime.now().uptimeNanoseconds
        metrics.orderRequestQueued()
        text = registry.emitToString()
        #expect(text.contains("castor_tick_to_order_seconds_count 2"), "\(text)")
    }
}

import Dispatch
