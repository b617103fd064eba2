import GeminiProtocol
import Testing
@testable import CastorFeeds

@Suite("OrderEventsSequenceTracker and subscription options")
struct OrderEventsSequenceTrackerTests {
    static func message(_ json: String) throws -> OrderEventsMessage { try OrderEventsDecoder.decode(Array(json.utf8)) }
    static let ack = #"{"type":"subscription_ack","accountId":1,"subscriptionId":"ws-order-events-1-abc","symbolFilter":[],"apiSessionFilter":[],"eventTypeFilter":[]}"#
    static func initial(_ id: String, _ seq: Int) -> String {
        #"[{"type":"initial","order_id":"\#(id)","symbol":"btcusd","side":"buy","order_type":"exchange limit","timestampms":1,"is_live":true,"is_cancelled":false,"price":"1","original_amount":"1","socket_sequence":\#(seq)}]"#
    }
    static func accepted(_ id: String, _ seq: Int) -> String {
        #"[{"type":"accepted","order_id":"\#(id)","event_id":"9","symbol":"btcusd","side":"buy","order_type":"exchange limit","timestampms":1,"is_live":true,"is_cancelled":false,"price":"1","original_amount":"1","socket_sequence":\#(seq)}]"#
    }
    static func heartbeat(_ seq: Int, _ hb: Int) -> String {
        #"{"type":"heartbeat","timestampms":1,"sequence":\#(hb),"trace_id":"t","socket_sequence":\#(seq)}"#
    }

    @Test func snapshotCompletesAtTheFirstNonInitialMessage() throws {
        var t = OrderEventsSequenceTracker()
        #expect(t.accept(try Self.message(Self.ack)) == .deliver(completesSnapshot: nil))
        #expect(t.accept(try Self.message(Self.initial("1", 0))) == .deliver(completesSnapshot: nil))
        #expect(t.accept(try Self.message(Self.initial("2", 1))) == .deliver(completesSnapshot: nil))
        guard case .deliver(let snapshot?) = t.accept(try Self.message(Self.heartbeat(2, 0))) else {
            Issue.record("no snapshot completion")
            return
        }
        #expect(snapshot.map(\.orderID) == ["1", "2"])
        #expect(t.accept(try Self.message(Self.accepted("3", 3))) == .deliver(completesSnapshot: nil))
        #expect(t.expectedSocketSequence == 4)
    }

    @Test func aQuietPeriodCompletesTheSnapshotOnce() throws {
        var t = OrderEventsSequenceTracker()
        #expect(t.quietPeriodElapsed() == nil)  // no ack yet
        _ = t.accept(try Self.message(Self.ack))
        _ = t.accept(try Self.message(Self.initial("1", 0)))
        #expect(t.quietPeriodElapsed()?.map(\.orderID) == ["1"])
        #expect(t.quietPeriodElapsed() == nil)
        // The heartbeat that follows is an ordinary message now.
        #expect(t.accept(try Self.message(Self.heartbeat(1, 0))) == .deliver(completesSnapshot: nil))
    }

    @Test func emptySnapshotCompletesWithNoOrders() throws {
        var t = OrderEventsSequenceTracker()
        _ = t.accept(try Self.message(Self.ack))
        #expect(t.accept(try Self.message(Self.accepted("3", 0))) == .deliver(completesSnapshot: []))
    }

    @Test func socketSequenceGapAndHeartbeatGapAreCaught() throws {
        var t = OrderEventsSequenceTracker()
        _ = t.accept(try Self.message(Self.ack))
        #expect(t.accept(try Self.message(Self.heartbeat(1, 0))) == .reconnect(.sequenceGap(expected: 0, received: 1)))
        var h = OrderEventsSequenceTracker()
        _ = h.accept(try Self.message(Self.ack))
        _ = h.accept(try Self.message(Self.heartbeat(0, 7)))
        #expect(h.accept(try Self.message(Self.heartbeat(1, 9))) == .reconnect(.heartbeatSequenceGap(expected: 8, received: 9)))
    }

    @Test func queryKeepsInitialAndHeartbeat() {
        let options = OrderEventsSubscriptionOptions(symbolFilter: ["BTCUSD"], apiSessionFilter: ["UI"], eventTypeFilter: [.fill, .closed])
        #expect(options.url(base: "wss://x/v1/order/events")
            == "wss://x/v1/order/events?heartbeat=true&symbolFilter=btcusd&apiSessionFilter=UI&eventTypeFilter=initial&eventTypeFilter=fill&eventTypeFilter=closed")
        #expect(OrderEventsSubscriptionOptions().url(base: "ws://h/p") == "ws://h/p?heartbeat=true")
        #expect(OrderEventsSubscriptionOptions.percentEncoded("a b&c") == "a%20b%26c")
    }

    /// Counters at `Int64.max` (hostile or corrupt) have no successor: the tracker asks for
    /// a reconnect instead of trapping on `sequence + 1`.
    @Test func countersAtInt64MaxReconnectInsteadOfTrapping() throws {
        let max = Int64.max
        var t = OrderEventsSequenceTracker()
        _ = t.accept(try Self.message(Self.ack))
        guard case .reconnect(let cause) = t.accept(try Self.message(Self.heartbeat(0, Int(max)))) else {
            Issue.record("heartbeat sequence at Int64.max was delivered"); return
        }
        #expect(cause.code == "decode_error")

        // A batch whose last event carries socket_sequence Int64.max.
        var b = OrderEventsSequenceTracker()
        _ = b.accept(try Self.message(Self.ack))
        let first = Self.accepted("1", 0).dropLast()
        let last = Self.accepted("2", Int(max)).dropFirst()
        guard case .reconnect(let batchCause) = b.accept(try Self.message(first + "," + last)) else {
            Issue.record("batch ending at socket_sequence Int64.max was delivered"); return
        }
        #expect(batchCause.code == "decode_error")
    }
}
