import CastorCore
import Foundation
import GeminiProtocol
import Testing

private func decode(_ json: String) throws -> MarketDataV1Message {
    try MarketDataV1Decoder.decode(Data(json.utf8))
}

private func update(_ json: String) throws -> MarketDataV1Update {
    guard case .update(let update) = try decode(json) else {
        throw GeminiDecodingError(messageType: "test", path: "", problem: .missingField)
    }
    return update
}

@Suite struct MarketDataV1DecoderTests {
    @Test func initialBookHasNoTimestamps() throws {
        let u = try update(#"{"type": "update", "eventId": 5375461993, "socket_sequence": 0, "events": [{"type": "change", "reason": "initial", "price": "3641.61", "delta": "0.83372051", "remaining": "0.83372051", "side": "bid"}, {"type": "change", "reason": "initial", "price": "3641.62", "delta": "4.072", "remaining": "4.072", "side": "ask"}]}"#)
        #expect(u.eventID == 5_375_461_993)
        #expect(u.socketSequence == 0)
        #expect(u.timestampSeconds == nil && u.timestampMilliseconds == nil)
        #expect(u.isInitialSnapshot)
        guard case .change(let bid) = u.events[0], case .change(let ask) = u.events[1] else {
            Issue.record("expected two changes"); return
        }
        #expect(bid.side == .bid && bid.reason == .initial)
        #expect(bid.price.description == "3641.61")
        #expect(bid.remaining.description == "0.83372051")
        #expect(ask.side == .ask && ask.remaining.description == "4.072")
    }

    @Test func cancelChangeHasSignedDelta() throws {
        let u = try update(#"{"type": "update", "eventId": 5375503736, "timestamp": 1547759964, "timestampms": 1547759964051, "socket_sequence": 2, "events": [{"type": "change", "side": "bid", "price": "3628.01", "remaining": "0", "delta": "-2", "reason": "cancel"}]}"#)
        guard case .change(let change) = u.events.first else { Issue.record("no change"); return }
        #expect(change.reason == .cancel)
        #expect(change.delta == ExactDecimal(-2))
        #expect(change.remaining.isZero)
        #expect(u.timestampMilliseconds == 1_547_759_964_051)
        #expect(!u.isInitialSnapshot)
    }

    @Test func tradeAndTakerSide() throws {
        let message = try decode(#"{"type": "update", "eventId": 5375547515, "timestamp": 1547760288, "timestampms": 1547760288001, "socket_sequence": 15, "events": [{"type": "trade", "tid": 5375547515, "price": "3632.54", "amount": "0.1362819142", "makerSide": "ask"}]}"#)
        #expect(message.socketSequence == 15)
        guard case .update(let u) = message, case .trade(let trade) = u.events.first else { Issue.record("no trade"); return }
        #expect(trade.tid == 5_375_547_515)
        #expect(trade.amount.description == "0.1362819142")
        #expect(trade.makerSide == .ask)
        #expect(trade.takerSide == .buy)
    }

    @Test func auctionTradeAndResult() throws {
        let json = try #require(FixtureCatalog.load("gocryptotrader_ws_messages.json")["messages"]?.elements
            .first { $0["test_func"]?.stringValue == "TestWsAuctionData" }?["message"]).text
        let u = try update(json)
        #expect(u.socketSequence == 4009)
        guard case .trade(let trade) = u.events[0], case .auctionResult(let result) = u.events[1] else {
            Issue.record("expected trade + auction_result"); return
        }
        #expect(trade.makerSide == .auction)
        #expect(trade.takerSide == nil)
        #expect(result.eventID == 371_469_414)
        #expect(result.result == "success")
        #expect(result.price?.description == "1048.75")
        #expect(result.quantity?.description == "1406")
        #expect(result.lowestAskPrice?.description == "1050.99")
    }

    @Test func auctionOpenAndIndicative() throws {
        let open = try update(#"{"eventId": 372481811, "socket_sequence": 23, "timestamp": 1486591200, "timestampms": 1486591200000, "events": [{"auction_open_ms": 1486591200000, "auction_time_ms": 1486674000000, "first_indicative_ms": 1486673400000, "last_cancel_time_ms": 1486673985000, "type": "auction_open"}], "type": "update"}"#)
        guard case .auctionOpen(let schedule) = open.events.first else { Issue.record("no auction_open"); return }
        #expect(schedule.auctionTimeMilliseconds == 1_486_674_000_000)
        #expect(schedule.lastCancelTimeMilliseconds == 1_486_673_985_000)

        let indicative = try update(#"{"type": "update", "eventId": 2248762586, "timestamp": 1510865640, "timestampms": 1510865640122, "socket_sequence": 177, "events": [{"type": "auction_indicative", "eid": 2248762586, "result": "success", "time_ms": 1510865640000, "highest_bid_price": "7730.69", "lowest_ask_price": "7730.7", "collar_price": "7730.695", "indicative_price": "7750", "indicative_quantity": "45.43325086"}]}"#)
        guard case .auctionIndicative(let outcome) = indicative.events.first else { Issue.record("no indicative"); return }
        #expect(outcome.collarPrice?.description == "7730.695")
        #expect(outcome.price?.description == "7750")
        #expect(outcome.quantity?.description == "45.43325086")
    }

    @Test func blockTrade() throws {
        let u = try update(#"{"type": "update", "eventId": 1111597035, "socket_sequence": 8, "timestamp": 1501175027, "timestampms": 1501175027304, "events": [{"type": "block_trade", "tid": 1111597035, "price": "10100.00", "amount": "1000"}]}"#)
        guard case .blockTrade(let trade) = u.events.first else { Issue.record("no block trade"); return }
        #expect(trade.price.description == "10100.00")
        #expect(trade.makerSide == nil)
    }

    @Test func heartbeat() throws {
        #expect(try decode(#"{"type": "heartbeat", "socket_sequence": 1656}"#) == .heartbeat(socketSequence: 1656))
    }

    /// The AsyncAPI description's example (YAML there) writes prices as numbers; they must
    /// still decode exactly.
    @Test func asyncAPIExampleWithNumericDecimals() throws {
        let u = try update(#"{"type":"update","eventId":36902233362,"timestamp":1619769673,"timestampms":1619769673527,"socket_sequence":661,"events":[{"type":"change","side":"bid","price":54350.40,"remaining":0.002,"delta":-0.002,"reason":"cancel"}]}"#)
        guard case .change(let change) = u.events.first else { Issue.record("no change"); return }
        #expect(change.price == ExactDecimal("54350.40")!)
        #expect(change.remaining.description == "0.002")
        #expect(change.delta.description == "-0.002")
    }

    @Test func unknownTypesAreTolerated() throws {
        let u = try update(#"{"type":"update","eventId":1,"socket_sequence":3,"events":[{"type":"mystery","x":1},{"type":"change","side":"ask","price":"1","remaining":"2","delta":"2","reason":"rebate"}]}"#)
        #expect(u.events[0] == .unknown(type: "mystery"))
        guard case .change(let change) = u.events[1] else { Issue.record("no change"); return }
        #expect(change.reason == .other("rebate"))
        #expect(try decode(#"{"type":"status","socket_sequence":"4"}"#) == .unknown(type: "status", socketSequence: 4))
    }

    @Test func errorsNameTheField() throws {
        #expect {
            _ = try decode(#"{"type":"update","eventId":1,"socket_sequence":3,"events":[{"type":"trade","tid":1,"price":"1"}]}"#)
        } throws: { error in
            let error = error as! GeminiDecodingError
            return error.messageType == "update" && error.path == "events[0].amount" && error.problem == .missingField
        }
        #expect {
            _ = try decode(#"{"eventId":1,"events":[]}"#)
        } throws: { error in
            let error = error as! GeminiDecodingError
            return error.path == "type" && error.problem == .missingField
        }
        #expect {
            _ = try decode(#"{"type":"update","eventId":1,"events":[{"type":"change","side":"middle","price":"1","remaining":"1","delta":"1","reason":"place"}]}"#)
        } throws: { error in
            let error = error as! GeminiDecodingError
            return error.path == "events[0].side" && error.description.contains("middle")
        }
        #expect(throws: GeminiDecodingError.self) { _ = try decode("[1,2]") }
        #expect(throws: GeminiDecodingError.self) { _ = try decode("{\"type\":") }
    }
}
