import CastorCore
import Foundation
import GeminiProtocol
import Testing

private func decode(_ json: String) throws -> OrderEventsMessage {
    try OrderEventsDecoder.decode(Data(json.utf8))
}

private func events(_ json: String) throws -> [OrderEvent] {
    guard case .events(let events) = try decode(json) else {
        Issue.record("not an events frame: \(json)")
        return []
    }
    return events
}

private func fixtureMessage(_ name: String) throws -> String {
    try #require(FixtureCatalog.load("kohuhu_order_events.json")["messages"]?[name]).text
}

@Suite struct OrderEventsDecoderTests {
    @Test func subscriptionAck() throws {
        let json = #"{"type": "subscription_ack", "accountId": 5365, "subscriptionId": "ws-order-events-5365-b8bk32clqeb13g9tk8p0", "symbolFilter": ["btcusd"], "apiSessionFilter": ["UI"], "eventTypeFilter": ["fill", "closed"]}"#
        guard case .subscriptionAck(let ack) = try decode(json) else { Issue.record("not an ack"); return }
        #expect(ack.accountID == 5365)
        #expect(ack.traceID == "b8bk32clqeb13g9tk8p0")
        #expect(ack.symbolFilter == ["BTCUSD"])
        #expect(ack.apiSessionFilter == ["UI"])
        #expect(ack.eventTypeFilter == ["fill", "closed"])
        #expect(try decode(json).socketSequence == nil)
    }

    @Test func heartbeatCarriesBothCounters() throws {
        let message = try OrderEventsDecoder.decode(Array(#"{"type": "heartbeat", "timestampms": 1547742998508, "sequence": 31, "trace_id": "b8biknoqppr32kc7gfgg", "socket_sequence": 37}"#.utf8))
        guard case .heartbeat(let heartbeat) = message else { Issue.record("not a heartbeat"); return }
        #expect(heartbeat.sequence == 31)
        #expect(heartbeat.timestampMilliseconds == 1_547_742_998_508)
        #expect(heartbeat.traceID == "b8biknoqppr32kc7gfgg")
        #expect(message.socketSequence == 37)
    }

    @Test func fillWithNumericOrderIDAndNestedFill() throws {
        // kohuhu keeps order_id as a JSON number here; a lone object, not an array.
        let event = try #require(try events(fixtureMessage("fill_complete")).first)
        #expect(event.type == .fill)
        #expect(event.orderID == "6310")
        #expect(event.symbol == "BTCUSD")
        #expect(event.side == .buy)
        #expect(event.timestampSeconds == 1_478_203_017)
        #expect(event.timestamp == 1_478_203_017_455)
        #expect(event.state == .filled)
        let fill = try #require(event.fill)
        #expect(fill.tradeID == "6312")
        #expect(fill.liquidity == .taker)
        #expect(fill.price.description == "721.24")
        #expect(fill.fee.description == "1.8031")
        #expect(fill.feeCurrency == "USD")
        #expect(event.socketSequence == 201_961)
    }

    @Test func partialFillKeepsEveryDigit() throws {
        let event = try #require(try events(fixtureMessage("fill_partial")).first)
        #expect(event.executedAmount?.description == "481.95988631")
        #expect(event.remainingAmount?.description == "303.06099969")
        #expect(event.price == nil)
        #expect(event.originalPrice?.description == "0.01514")
        #expect(event.fill?.fee.description == "0.0182421816968335")
        #expect(event.fill?.liquidity == .maker)
        #expect(event.state == .open)
    }

    @Test func marketBuyHasTotalSpendAndNoAmounts() throws {
        let json = #"[{"type": "accepted", "order_id": "109964529", "event_id": "109964530", "api_session": "UI", "symbol": "btcusd", "side": "buy", "order_type": "market buy", "timestamp": "1547756076", "timestampms": 1547756076644, "is_live": false, "is_cancelled": false, "is_hidden": false, "total_spend": "200.00", "socket_sequence": 29}]"#
        let event = try #require(try events(json).first)
        #expect(event.type == .accepted)
        #expect(event.eventID == "109964530")
        #expect(event.orderType == .marketBuy)
        #expect(event.totalSpend?.description == "200.00")
        #expect(event.originalAmount == nil)
        #expect(try decode(json).socketSequence == 29)
    }

    @Test func rejectedAndCancelRejectedCarryReasons() throws {
        let rejected = try #require(try events(fixtureMessage("rejected")).first)
        #expect(rejected.type == .rejected)
        #expect(rejected.reason == .invalidPrice)
        #expect(rejected.price?.description == "703.14444444")
        let refused = try #require(try events(fixtureMessage("cancel_rejected")).first)
        #expect(refused.type == .cancelRejected)
        #expect(refused.reason == .ineligibleTiming)
        #expect(refused.cancelCommandID == "6433")
        #expect(refused.orderType == .auctionOnlyLimit)
        #expect(refused.isHidden == true)
    }

    @Test func idsAbove2To53StayExactAsStringOrNumber() throws {
        let asString = try events(#"[{"type":"booked","order_id":"73751560172006688","event_id":"73751560172006689","symbol":"ethgusd","side":"sell","socket_sequence":2}]"#)
        let asNumber = try events(#"[{"type":"booked","order_id":73751560172006688,"event_id":73751560172006689,"symbol":"ethgusd","side":"sell","socket_sequence":2}]"#)
        #expect(asString.first?.orderID == "73751560172006688")
        #expect(asNumber.first?.orderID == "73751560172006688")
        #expect(asNumber.first?.eventID == "73751560172006689")
    }

    @Test func missingRoleErrorFrame() throws {
        let json = #"{"result":"error","reason":"MissingRole","message":"To access this endpoint, you need to log in"}"#
        guard case .error(let body) = try decode(json) else { Issue.record("not an error"); return }
        #expect(body.reason == .missingRole)
        #expect(body.classification() == .fatalConfiguration)
    }

    @Test func unknownFrameAndEventTypesAreTolerated() throws {
        let frame = try decode(#"{"type":"order_modified","socket_sequence":12,"whatever":{"x":[1,2]}}"#)
        #expect(frame == .unknown(type: "order_modified", socketSequence: 12))

        let mixed = try events(#"[{"type":"amended","order_id":"1","new_field":true,"socket_sequence":"7"},{"type":"closed","order_id":"2","symbol":"BTCUSD","side":"sell","socket_sequence":7}]"#)
        #expect(mixed.count == 2)
        #expect(mixed[0].type == .unknown("amended"))
        #expect(mixed[0].orderID == "1")
        #expect(mixed[0].socketSequence == 7)
        #expect(mixed[1].type == .closed)

        // Unknown types keep what decodes and drop what does not.
        let sparse = try events(#"[{"type":"future_thing","price":true}]"#)
        #expect(sparse.first?.orderID == "")
        #expect(sparse.first?.price == nil)
    }

    @Test func unknownReasonSurvives() throws {
        let json = #"[{"type":"rejected","order_id":"9","symbol":"btcusd","side":"buy","reason":"BrandNewReason"}]"#
        let event = try #require(try events(json).first)
        #expect(event.reason?.rawValue == "BrandNewReason")
        #expect(event.reason?.isKnown == false)
        #expect(GeminiReason.invalidPrice.isKnown)
    }

    @Test func errorsNameTheMessageTypeAndField() throws {
        #expect {
            _ = try decode(#"[{"type":"fill","order_id":"1","symbol":"btcusd","side":"buy","fill":{"trade_id":"2","liquidity":"Maker","amount":"1","fee":"0","fee_currency":"USD"}}]"#)
        } throws: { error in
            let error = error as! GeminiDecodingError
            return error.messageType == "fill" && error.path == "[0].fill.price" && error.field == "price"
                && error.problem == .missingField
        }
        #expect {
            _ = try decode(#"[{"type":"accepted","order_id":"1","symbol":"btcusd","side":"buy"},{"type":"booked","order_id":"1","symbol":"btcusd","side":"buy","is_live":"yes"}]"#)
        } throws: { error in
            let error = error as! GeminiDecodingError
            return error.messageType == "booked" && error.path == "[1].is_live"
                && error.problem == .wrongType(expected: "a boolean")
        }
        #expect {
            _ = try decode(#"{"type":"cancelled","order_id":"1","symbol":"btcusd","side":"buy","price":"12,5"}"#)
        } throws: { error in
            let error = error as! GeminiDecodingError
            guard case .invalidValue(let detail) = error.problem else { return false }
            return error.messageType == "cancelled" && error.field == "price" && detail.contains("12,5")
                && error.description.contains("price")
        }
        #expect {
            _ = try decode(#"[{"type":"fill","order_id":"#)
        } throws: { error in
            guard case .invalidJSON = (error as! GeminiDecodingError).problem else { return false }
            return true
        }
        #expect(throws: GeminiDecodingError.self) { _ = try decode(#"{"result":"error"}"#) }
        #expect(throws: GeminiDecodingError.self) { _ = try decode(#"{"result":"bla"}"#) }
        #expect(throws: GeminiDecodingError.self) { _ = try decode("42") }
        #expect(throws: GeminiDecodingError.self) { _ = try decode("") }
    }
}
