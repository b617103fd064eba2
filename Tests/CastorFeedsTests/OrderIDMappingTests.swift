import CastorCore
import CastorTrading
import Foundation
import GeminiClient
import GeminiProtocol
import Testing
@testable import CastorFeeds

/// Exchange order ids enter the domain as `VenueOrderID` (a decimal `Int64`) in one place,
/// the Gemini mapping. What does not parse never becomes a report: an answer carrying one is
/// unreadable (and, having been answered, may have executed).
@Suite struct OrderIDMappingTests {
    static func status(_ orderID: String, trades: String = "") -> OrderStatus {
        let tradesField = trades.isEmpty ? "" : #","trades":[\#(trades)]"#
        let json = #"{"order_id":"\#(orderID)","id":"\#(orderID)","symbol":"btcusd","exchange":"gemini","side":"buy","type":"exchange limit","options":[],"price":"100.00","avg_execution_price":"0.00","executed_amount":"0","remaining_amount":"1","original_amount":"1","timestamp":"1547220404","timestampms":1547220404836,"is_live":true,"is_cancelled":false,"is_hidden":false,"was_forced":false\#(tradesField)}"#
        return try! JSONDecoder().decode(OrderStatus.self, from: Data(json.utf8))
    }

    static func trade(orderID: String) -> String {
        #"{"price":"100.00","amount":"1","timestamp":1700000000,"timestampms":1700000000000,"type":"Buy","aggressor":true,"fee_currency":"USD","fee_amount":"0.1","tid":5,"order_id":"\#(orderID)","exchange":"gemini","is_clearing_fill":false,"symbol":"BTCUSD"}"#
    }

    static func event(orderID: String?, type: String = "booked") throws -> OrderEvent {
        let id = orderID.map { #""order_id":"\#($0)","# } ?? ""
        let json = #"[{"type":"\#(type)",\#(id)"event_id":"1","api_session":"k","client_order_id":"cx-1","symbol":"btcusd","side":"buy","order_type":"exchange limit","timestamp":"1700000000","timestampms":1700000000000,"is_live":true,"is_cancelled":false,"is_hidden":false,"original_amount":"1","price":"100.00","socket_sequence":1}]"#
        guard case .events(let events) = try OrderEventsDecoder.decode(Data(json.utf8)) else {
            throw WireProblem()
        }
        return try #require(events.first)
    }

    struct WireProblem: Error {}

    @Test func aNumericOrderIDMapsToItsInt64() throws {
        #expect(OrderSnapshot(gemini: Self.status("372456298"))?.orderID == VenueOrderID(372_456_298))
        #expect(try OrderReport(gemini: Self.event(orderID: "0042"))?.orderID == VenueOrderID(42))
        let trade = try JSONDecoder().decode(MyTrade.self, from: Data(Self.trade(orderID: "9223372036854775807").utf8))
        #expect(TradeReport(gemini: trade)?.orderID == VenueOrderID(.max))
    }

    @Test(arguments: ["", "abc", "-1", "12a", "9223372036854775808", " 1"])
    func anOrderIDThatIsNotADecimalInt64MakesNoReport(_ id: String) throws {
        #expect(OrderSnapshot(gemini: Self.status(id)) == nil)
        #expect(try OrderReport(gemini: Self.event(orderID: id)) == nil)
        let trade = try JSONDecoder().decode(MyTrade.self, from: Data(Self.trade(orderID: id).utf8))
        #expect(TradeReport(gemini: trade) == nil)
        // One bad trade inside an order status makes the whole status unreadable.
        #expect(OrderSnapshot(gemini: Self.status("7", trades: Self.trade(orderID: id))) == nil)
    }

    /// The decoder requires `order_id` on the kinds it knows; one it does not know may come
    /// without (the lenient decoder leaves it empty): that event makes no report.
    @Test func anEventOfAnUnknownKindWithoutAnOrderIDMakesNoReport() throws {
        #expect(throws: GeminiDecodingError.self) { try Self.event(orderID: nil) }
        #expect(try OrderReport(gemini: Self.event(orderID: nil, type: "margin_call")) == nil)
    }

    @Test func anAnswerWithAnUnreadableOrderIDIsAFailureThatMayHaveExecuted() {
        let one = GeminiExecution.mapped(.success(Self.status("x1")), "/v1/order/new", OrderSnapshot.init(gemini:))
        guard case .failure(let failure) = one else { Issue.record("expected a failure, got \(one)"); return }
        #expect(failure.mayHaveExecuted)
        #expect("\(failure)".contains("/v1/order/new"))
        // In a list, one bad element fails the whole answer: dropping it could hide an order.
        let list = GeminiExecution.mappedAll(.success([Self.status("1"), Self.status("x2")]), "/v1/orders",
                                             OrderSnapshot.init(gemini:))
        if case .success = list { Issue.record("a list with an unreadable order was accepted") }
        let good = GeminiExecution.mappedAll(.success([Self.status("1"), Self.status("2")]), "/v1/orders",
                                             OrderSnapshot.init(gemini:))
        #expect((try? good.get())?.map(\.orderID) == [1, 2])
        // A transport failure passes through as the venue failure it is.
        let refused = GeminiExecution.mapped(Result<OrderStatus, GeminiClientError>.failure(.unsent(endpoint: "/v1/orders", .busy)),
                                             "/v1/orders", OrderSnapshot.init(gemini:))
        if case .failure(let f) = refused { #expect(!f.mayHaveExecuted) } else { Issue.record("expected a failure") }
    }
}
