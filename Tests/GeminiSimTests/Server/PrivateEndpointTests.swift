import CastorCore
import Testing
@testable import GeminiSim

/// Every private endpoint's happy path over loopback HTTP, checking Gemini's field types.
@Suite(.timeLimit(.minutes(2))) struct PrivateEndpointTests {
    @Test func orderLifecycleNewStatusOrdersCancel() async throws {
        let sim = try await SimHarness()
        let placed = try await sim.placeOrder(side: "buy", amount: "0.5", price: "25000.00", clientOrderId: "bot-0001")
        #expect(placed.status == 200, "\(placed.text)")
        let order = try #require(placed.json)
        let id = try #require(order["order_id"]?.stringValue)
        #expect(order["id"]?.stringValue == id)
        #expect(order["symbol"]?.stringValue == "btcusd")
        #expect(order["exchange"]?.stringValue == "gemini")
        #expect(order["is_live"] == .bool(true))
        #expect(order["is_cancelled"] == .bool(false))
        #expect(order["price"] == .string("25000.00"))
        #expect(order["original_amount"] == .string("0.5"))
        #expect(order["client_order_id"] == .string("bot-0001"))
        #expect(order["options"] == .array([]))
        if case .string = order["timestamp"] {} else { Issue.record("timestamp must be a string in order objects") }
        if case .number = order["timestampms"] {} else { Issue.record("timestampms must be a number") }

        let open = try await sim.privatePost("/v1/orders")
        #expect(open.json?.arrayValue?.compactMap { $0["order_id"]?.stringValue } == [id])

        let byClient = try await sim.privatePost("/v1/order/status", fields: [("client_order_id", "bot-0001")])
        // By client order id: an array of every order carrying it (API.md §3.4).
        #expect(byClient.json?.arrayValue?.compactMap { $0["order_id"]?.stringValue } == [id])
        let byId = try await sim.privatePost("/v1/order/status", fields: [("order_id", .integer(Int64(id)!)), ("include_trades", true)])
        #expect(byId.json?["trades"] == .array([]))

        let cancelled = try await sim.privatePost("/v1/order/cancel", fields: [("order_id", .integer(Int64(id)!))])
        #expect(cancelled.status == 200)
        #expect(cancelled.json?["is_cancelled"] == .bool(true))
        #expect(cancelled.json?["reason"] == .string("Requested"))
        #expect(try await sim.privatePost("/v1/orders").json == .array([]))
        await sim.stop()
    }

    @Test func fillShowsInMyTradesBalancesAndNotionalVolume() async throws {
        let sim = try await SimHarness()
        #expect(try await sim.placeOrder(key: SimHarness.makerKey, side: "sell", amount: "1", price: "30000.00").status == 200)
        let taker = try await sim.placeOrder(side: "buy", amount: "0.25", price: "30000.00", clientOrderId: "take-1")
        #expect(taker.json?["executed_amount"] == .string("0.25"))
        #expect(taker.json?["is_live"] == .bool(false))

        let trades = try await sim.privatePost("/v1/mytrades", fields: [("symbol", "btcusd")])
        let trade = try #require(trades.json?.arrayValue?.first)
        #expect(trade["type"] == .string("Buy"))
        #expect(trade["aggressor"] == .bool(true))
        #expect(trade["price"] == .string("30000.00"))
        #expect(trade["amount"] == .string("0.25"))
        #expect(trade["symbol"] == .string("BTCUSD"))
        if case .number = trade["tid"] {} else { Issue.record("tid must be a number") }
        if case .number = trade["timestamp"] {} else { Issue.record("mytrades timestamp must be a number") }
        #expect(trade["order_id"] == taker.json?["order_id"])

        let balances = try #require(try await sim.privatePost("/v1/balances").json?.arrayValue)
        let btc = try #require(balances.first { $0["currency"] == .string("BTC") })
        #expect(btc["type"] == .string("exchange"))
        #expect(btc["amount"].flatMap { $0.stringValue }.flatMap(ExactDecimal.init) == ExactDecimal("10.25"))

        let volume = try #require(try await sim.privatePost("/v1/notionalvolume").json)
        #expect(volume["api_taker_fee_bps"] == .number("35"))
        #expect(volume["notional_30d_volume"] != nil)
        await sim.stop()
    }

    @Test func cancelSessionOnlyCancelsThisKeysOrdersAndCancelAllTheRest() async throws {
        let sim = try await SimHarness()
        let mine = try #require(try await sim.placeOrder(side: "buy", amount: "0.1", price: "20000.00").json?["order_id"]?.stringValue)
        let other = try #require(try await sim.placeOrder(key: SimHarness.secondTraderKey, side: "buy", amount: "0.1", price: "20001.00").json?["order_id"]?.stringValue)
        let session = try await sim.privatePost("/v1/order/cancel/session")
        #expect(session.json == .object([("result", .string("ok")), ("details", .object([
            ("cancelRejects", .array([])), ("cancelledOrders", .array([.number(mine)]))]))]))
        let all = try await sim.privatePost("/v1/order/cancel/all")
        #expect(all.json?["details"]?["cancelledOrders"] == .array([.number(other)]))
        await sim.stop()
    }

    @Test func rolesAndHeartbeat() async throws {
        let sim = try await SimHarness()
        #expect(try await sim.privatePost("/v1/roles").text == #"{"isAuditor":false,"isFundManager":false,"isTrader":true}"#)
        #expect(try await sim.privatePost("/v1/roles", key: SimHarness.auditorKey).json?["isAuditor"] == .bool(true))
        #expect(try await sim.privatePost("/v1/heartbeat").text == #"{"result":"ok"}"#)
        await sim.stop()
    }

    @Test func bodyWithJSONIsToleratedTheHeaderPayloadCounts() async throws {
        let sim = try await SimHarness()
        let nonce = sim.nextNonce(SimHarness.traderKey).milliseconds
        let json = #"{"request":"/v1/balances","nonce":\#(nonce)}"#
        let reply = try await sim.privatePostRaw("/v1/balances", json: json, body: #"{"request":"/v1/other","nonce":1}"#)
        #expect(reply.status == 200, "\(reply.text)")
        await sim.stop()
    }

    @Test func ledgerHasEveryOrderAndFill() async throws {
        let sim = try await SimHarness()
        _ = try await sim.placeOrder(key: SimHarness.makerKey, side: "sell", amount: "1", price: "30000.00")
        _ = try await sim.placeOrder(side: "buy", amount: "0.4", price: "30000.00", clientOrderId: "L1")
        let ledger = try await sim.get("/sim/ledger")
        let accounts = try #require(ledger.json?["accounts"]?.arrayValue)
        let primary = try #require(accounts.first { $0["name"] == .string("primary") })
        #expect(primary["orders"]?.arrayValue?.count == 1)
        #expect(primary["trades"]?.arrayValue?.count == 1)
        let maker = try #require(accounts.first { $0["name"] == .string("maker") })
        #expect(maker["trades"]?.arrayValue?.first?["aggressor"] == .bool(false))
        await sim.stop()
    }

    @Test func accountsCanBeAddedAndFundedAtRunTime() async throws {
        let sim = try await SimHarness()
        let add = try await sim.send(.POST, "/sim/accounts", body: #"{"name":"late","balances":{"USD":"5"},"keys":[{"key":"account-late","secret":"\#(SimHarness.sharedSecret)"}]}"#)
        #expect(add.status == 200, "\(add.text)")
        #expect(try await sim.send(.POST, "/sim/deposit", body: #"{"account":"late","currency":"USD","amount":"10.50"}"#).status == 200)
        let balances = try await sim.privatePost("/v1/balances", key: "account-late")
        #expect(balances.json?.arrayValue?.first { $0["currency"] == .string("USD") }?["amount"] == .string("15.50"))
        let ledger = try await sim.get("/sim/ledger")
        #expect(ledger.json?["accounts"]?.arrayValue?.last?["keys"] == .array([.string("account-late")]))
        #expect(try await sim.send(.POST, "/sim/accounts", body: #"{"name":"late","keys":[]}"#).status == 400)
        await sim.stop()
    }

    /// Before: `{"amount": "1e38"}` trapped the simulator's balance arithmetic.
    @Test func hugeDepositsAnswer400AndTheSimulatorKeepsServing() async throws {
        let sim = try await SimHarness()
        let add = try await sim.send(.POST, "/sim/accounts", body: #"{"name":"rich","balances":{"USD":"5"},"keys":[{"key":"account-rich","secret":"\#(SimHarness.sharedSecret)"}]}"#)
        #expect(add.status == 200, "\(add.text)")
        for amount in ["1e38", "170141183460469231731687303715884105727", "-1e38", "1e18", "0.0000000000000000000000000000000000001"] {
            let reply = try await sim.send(.POST, "/sim/deposit", body: #"{"account":"rich","currency":"USD","amount":"\#(amount)"}"#)
            #expect(reply.status == 400, "\(amount): \(reply.text)")
            #expect(reply.text.contains("InvalidFundTransfer") || reply.text.contains("InvalidJson"), "\(reply.text)")
        }
        let refused = try await sim.send(.POST, "/sim/deposit", body: #"{"account":"rich","currency":"USD","amount":"1e38"}"#)
        #expect(refused.text.contains("out of range"), "\(refused.text)")
        let negative = try await sim.send(.POST, "/sim/deposit", body: #"{"account":"rich","currency":"USD","amount":"-6"}"#)
        #expect(negative.status == 400 && negative.text.contains("negative"), "\(negative.text)")
        #expect(try await sim.send(.POST, "/sim/deposit", body: #"{"account":"rich","currency":"USD","amount":"1"}"#).status == 200)
        let balances = try await sim.privatePost("/v1/balances", key: "account-rich")
        #expect(balances.json?.arrayValue?.first { $0["currency"] == .string("USD") }?["amount"] == .string("6"))
        let hugeAccount = try await sim.send(.POST, "/sim/accounts", body: #"{"name":"huge","balances":{"USD":"1e38"},"keys":[]}"#)
        #expect(hugeAccount.status == 400 && hugeAccount.text.contains("out of range"), "\(hugeAccount.text)")
        await sim.stop()
    }
}
