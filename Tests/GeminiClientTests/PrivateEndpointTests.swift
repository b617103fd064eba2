import CastorCore
import Foundation
import GeminiClient
import GeminiProtocol
import Testing

/// Every private POST against the stub: what the stub verified and saw in the payload, and
/// the decoded answer, values asserted exactly.
@Suite(.timeLimit(.minutes(2))) struct PrivateEndpointTests {
    @Test func newOrderLimitWithOption() async throws {
        let stub = try await StubGemini()
        let client = try stub.client()
        let order = NewOrderPayload(
            clientOrderID: "bot-0001", symbol: "BTCUSD", side: .buy, amount: dec("0.001"), price: dec("25000.00"),
            option: .makerOrCancel)
        let status = try success(await call { client.newOrder(order, on: $0, completion: $1) })
        // Above 2^53: would be rounded by any float parsing.
        #expect(status.orderID == "73751560172006688")
        #expect(status.clientOrderID == "bot-0001")
        #expect(status.symbol == "BTCUSD")
        #expect(status.side == .buy)
        #expect(status.type == .exchangeLimit)
        #expect(status.price == dec("25000.00"))
        #expect(status.originalAmount == dec("0.001"))
        #expect(status.options == ["maker-or-cancel"])
        #expect(status.isLive)

        let log = try await stub.log()
        #expect(log.violations.isEmpty)
        let seen = try #require(log.privateRequests.first)
        #expect(seen.path == "/v1/order/new")
        #expect(seen.payload["client_order_id"] as? String == "bot-0001")
        #expect(seen.payload["symbol"] as? String == "btcusd")
        // Decimals travel as JSON strings with their digits intact.
        #expect(seen.payload["amount"] as? String == "0.001")
        #expect(seen.payload["price"] as? String == "25000.00")
        #expect(seen.payload["side"] as? String == "buy")
        #expect(seen.payload["type"] as? String == "exchange limit")
        #expect(seen.payload["options"] as? [String] == ["maker-or-cancel"])
        #expect(seen.payload["stop_price"] == nil)
    }

    @Test func newOrderStopLimit() async throws {
        let stub = try await StubGemini()
        let client = try stub.client()
        let order = NewOrderPayload(
            clientOrderID: "stop:1#a", symbol: "ethusd", side: .sell, amount: dec("2.5"), price: dec("3300.00"),
            type: .stopLimit(stopPrice: dec("3314.00")))
        let status = try success(await call { client.newOrder(order, on: $0, completion: $1) })
        #expect(status.type == .exchangeStopLimit)
        #expect(status.stopPrice == dec("3314.00"))
        let seen = try #require(try await stub.log().privateRequests.first)
        #expect(seen.payload["type"] as? String == "exchange stop limit")
        #expect(seen.payload["stop_price"] as? String == "3314.00")
        #expect(seen.payload["options"] == nil)
    }

    @Test func cancelOrderSendsIntegerID() async throws {
        let stub = try await StubGemini()
        let client = try stub.client()
        let status = try success(await call { client.cancelOrder(orderID: 106_817_811, on: $0, completion: $1) })
        #expect(status.orderID == "106817811")
        #expect(status.isCancelled)
        #expect(status.reason == .requested)
        #expect(status.executedAmount == dec("3.7610296649"))
        #expect(status.remainingAmount == dec("1.2389703351"))
        let seen = try #require(try await stub.log().privateRequests.first)
        #expect(seen.payload["order_id"] as? Int == 106_817_811)
    }

    @Test func cancelSessionAndAll() async throws {
        let stub = try await StubGemini()
        let client = try stub.client()
        let session = try success(await call { client.cancelSession(on: $0, completion: $1) })
        #expect(session.cancelledOrders == ["330429106", "330429079", "330429082"])
        #expect(session.cancelRejects.isEmpty)
        let all = try success(await call { client.cancelAll(on: $0, completion: $1) })
        #expect(all.cancelledOrders.isEmpty)
        #expect(all.cancelRejects == ["330429345"])
        #expect(try await stub.log().paths == ["/v1/order/cancel/session", "/v1/order/cancel/all"])
    }

    @Test func orderStatusByIDAndByClientOrderID() async throws {
        let stub = try await StubGemini()
        let client = try stub.client()
        let byID = try success(await call { client.orderStatus(orderID: 123_456_789_012_345, on: $0, completion: $1) })
        #expect(byID.orderID == "123456789012345")
        #expect(byID.avgExecutionPrice == dec("400.00"))
        #expect(byID.state == .filled)
        #expect(byID.trades == nil)
        // By client order id the answer is an array of every order carrying the id.
        let matches = try success(await call {
            client.orderStatus(clientOrderID: "bot-0001", includeTrades: true, on: $0, completion: $1)
        })
        #expect(matches.count == 1)
        let byClient = try #require(matches.first)
        #expect(byClient.clientOrderID == "bot-0001")
        let trade = try #require(byClient.trades?.first)
        #expect(trade.tid == 107_317_526)
        #expect(trade.price == dec("3648.09"))
        let seen = try await stub.log().privateRequests
        #expect(seen.count == 2)
        #expect(seen[0].payload["order_id"] as? Int == 123_456_789_012_345)
        #expect(seen[0].payload["include_trades"] as? Bool == false)
        #expect(seen[1].payload["client_order_id"] as? String == "bot-0001")
        #expect(seen[1].payload["order_id"] == nil)
        #expect(seen[1].payload["include_trades"] as? Bool == true)
    }

    @Test func activeOrders() async throws {
        let stub = try await StubGemini()
        let client = try stub.client()
        let orders = try success(await call { client.activeOrders(on: $0, completion: $1) })
        #expect(orders.map(\.orderID) == ["107421210", "107421205"])
        #expect(orders.map(\.side) == [.sell, .buy])
        #expect(orders[1].executedAmount == dec("0.029147"))
        #expect(orders[1].remainingAmount == dec("0.970853"))
    }

    @Test func myTradesSendsSymbolSinceAndLimit() async throws {
        let stub = try await StubGemini()
        let client = try stub.client()
        let trades = try success(await call {
            client.myTrades(symbol: "BTCUSD", since: 1_547_220_000_000, limit: 100, on: $0, completion: $1)
        })
        #expect(trades.map(\.tid) == [107_317_526, 106_921_823])
        #expect(trades[0].orderID == "107317524")
        #expect(trades[0].side == .buy)
        #expect(trades[0].aggressor == true)
        #expect(trades[0].feeAmount == dec("0.024937655575035"))
        #expect(trades[1].amount == dec("0.00423677"))
        let seen = try #require(try await stub.log().privateRequests.first)
        #expect(seen.payload["symbol"] as? String == "btcusd")
        #expect(seen.payload["timestamp"] as? Int == 1_547_220_000_000)
        #expect(seen.payload["limit_trades"] as? Int == 100)
    }

    @Test func balances() async throws {
        let stub = try await StubGemini()
        let client = try stub.client()
        let balances = try success(await call { client.balances(on: $0, completion: $1) })
        #expect(balances.map(\.currency) == ["BTC", "USD", "ETH"])
        #expect(balances[0].amount == dec("5.0"))
        #expect(balances[0].available == dec("4.5"))
        #expect(balances[0].pendingWithdrawal == dec("0.25"))
        #expect(balances[1].amount == dec("15000.00"))
        #expect(balances[1].pendingDeposit == nil)
    }

    @Test func heartbeatRolesNotionalVolume() async throws {
        let stub = try await StubGemini()
        let client = try stub.client()
        let ok = try success(await call { client.heartbeat(on: $0, completion: $1) })
        #expect(ok.result == "ok")
        let roles = try success(await call { client.roles(on: $0, completion: $1) })
        #expect(roles.isTrader && !roles.isAuditor && !roles.isFundManager)
        let volume = try success(await call { client.notionalVolume(on: $0, completion: $1) })
        #expect(volume.apiMakerFeeBps == 10)
        #expect(volume.apiTakerFeeBps == 35)
        #expect(volume.notional30dVolume == dec("150"))
        #expect(volume.lastUpdatedMilliseconds == 1_551_371_446_000)
        #expect(volume.notional1dVolume.map(\.date) == ["2019-02-22", "2019-02-14"])
        let log = try await stub.log()
        #expect(log.paths == ["/v1/heartbeat", "/v1/roles", "/v1/notionalvolume"])
        #expect(log.privateRequests.allSatisfy { $0.payload.count == 2 })  // request + nonce only
    }

    @Test func masterKeyAccountGoesIntoEveryPayload() async throws {
        let stub = try await StubGemini()
        let client = try stub.client(account: "primary")
        _ = try success(await call { client.balances(on: $0, completion: $1) })
        _ = try success(await call { client.cancelOrder(orderID: 1, on: $0, completion: $1) })
        let seen = try await stub.log().privateRequests
        #expect(seen.map { $0.payload["account"] as? String } == ["primary", "primary"])
    }
}
