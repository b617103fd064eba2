import CastorCore
import CastorStrategy
import Testing
@testable import CastorStrategies

@Suite struct ParameterTests {
    @Test func typedAccessorsConvertWhatTheConfigCanExpress() throws {
        let p = params([
            "i": .int(3), "is": .string("4"), "d": .string("0.001"), "di": .int(2), "b": .bool(true),
            "ms": .string("250ms"), "s": .string("1.5s"), "m": .string("2m"), "h": .string("1h"), "raw": .durationMs(7),
        ])
        #expect(try p.int("i") == 3 && p.int("is") == 4)
        #expect(try p.decimal("d") == d("0.001") && p.decimal("di") == d("2"))
        #expect(try p.bool("b"))
        #expect(try p.durationMs("ms") == 250 && p.durationMs("s") == 1_500 && p.durationMs("m") == 120_000)
        #expect(try p.durationMs("h") == 3_600_000 && p.durationMs("raw") == 7)
        #expect(try p.int("absent", default: 9) == 9)
        #expect(StrategyParameters.parseDuration("0.0001s") == nil)
        #expect(StrategyParameters.parseDuration("-1s") == nil)
        #expect(StrategyParameters.parseDuration("5") == nil)
    }

    @Test func errorsNameTheParameterByItsConfigPath() {
        let p = params(["spread_bps": .string("wide"), "size": .bool(true), "x": .int(-1)])
        #expect(throws: StrategyParameterError(parameter: "strategy.params.spread_bps", problem: .invalid("must be a positive integer"))) {
            try p.positiveInt("spread_bps")
        }
        #expect(throws: StrategyParameterError(parameter: "strategy.params.missing", problem: .missing)) { try p.string("missing") }
        #expect(throws: StrategyParameterError(parameter: "strategy.params.x", problem: .invalid("must be a positive integer"))) {
            try p.positiveInt("x")
        }
        #expect(throws: StrategyParameterError(parameter: "strategy.params.x", problem: .unknown,
                                               hint: "; its parameters are size, spread_bps")) {
            try p.requireOnly(["spread_bps", "size"])
        }
        let e = StrategyParameterError(parameter: "strategy.params.spread_bps", problem: .invalid("must be a positive integer"))
        #expect(e.description == "strategy.params.spread_bps: must be a positive integer")
    }

    @Test func builtinsValidateTheirParameters() {
        let reg = BuiltinStrategies.registry
        #expect(reg.names == ["grid", "market-maker", "observe", "twap"])
        #expect(throws: StrategyParameterError(parameter: "strategy.params.spread_bps", problem: .invalid("must be a positive integer"))) {
            try reg.make(name: "market-maker", parameters: params(["symbol": .string("btcusd"), "spread_bps": .int(0), "size": .string("1")]))
        }
        #expect(throws: StrategyParameterError(parameter: "strategy.params.size", problem: .invalid("must be a positive decimal"))) {
            try reg.make(name: "market-maker", parameters: params(["symbol": .string("btcusd"), "spread_bps": .int(10), "size": .string("0")]))
        }
        #expect(throws: StrategyParameterError(parameter: "strategy.params.spred_bps", problem: .unknown,
                                               hint: #" (did you mean "spread_bps"?); its parameters are max_position, requote_bps, size, skew_bps_per_unit, spread_bps, symbol"#)) {
            try reg.make(name: "market-maker", parameters: params(["symbol": .string("btcusd"), "spred_bps": .int(10)]))
        }
        #expect(throws: StrategyParameterError(parameter: "strategy.params.levels", problem: .invalid("must be a positive integer"))) {
            try reg.make(name: "grid", parameters: params(["symbol": .string("btcusd"), "levels": .string("many")]))
        }
        #expect(throws: StrategyParameterError(parameter: "strategy.params.log_interval", problem: .invalid("must be a positive duration"))) {
            try reg.make(name: "observe", parameters: params(["log_interval": .int(0)]))
        }
        #expect(throws: StrategyRegistryError.unknownStrategy(name: "arb", available: ["grid", "market-maker", "observe", "twap"])) {
            try reg.make(name: "arb", parameters: params([:]))
        }
    }

    @Test func symbolInfoQuantisesTowardThePassiveSideAndRefusesTinyOrders() {
        let s = SymbolInfo.btcusd
        #expect(s.passivePrice(d("100.019"), side: .buy) == d("100.01"))
        #expect(s.passivePrice(d("100.011"), side: .sell) == d("100.02"))
        #expect(s.passivePrice(d("100.011"), side: .sell)?.description == "100.02")
        #expect(s.orderAmount(d("0.123456789")) == d("0.12345678"))
        #expect(s.passivePrice(d("0.001"), side: .buy) == nil)
        guard case .failure(.belowMinimumSize(let sym, _, let min)) = s.prepareOrder(side: .buy, price: d("1"), amount: d("0.000009999")) else {
            Issue.record("expected a below-minimum refusal")
            return
        }
        #expect(sym == "btcusd" && min == d("0.00001"))
    }

    @Test func fakeContextRefusalsReachTheStrategy() throws {
        let ctx = FakeContext()
        ctx.refuseAll = .risk(rule: "max_open_orders", message: "limit 0")
        let mm = try BuiltinStrategies.registry.make(name: "market-maker", parameters: params([
            "symbol": .string("btcusd"), "spread_bps": .int(10), "size": .string("0.01"),
        ]))
        mm.onBook(symbol: "btcusd", book: ctx.setBook(bid: d("100"), ask: d("101")), context: ctx)
        #expect(ctx.placed.isEmpty)
        #expect(ctx.logs.filter { $0.message == "market-maker quote refused" }.count == 2)
    }
}

/// What an operator reads when `[strategy.params]` is wrong: every unknown key at once, each
/// with the parameter it probably means, and a symbol the engine does not trade.
@Suite struct ParameterDiagnosticsTests {
    @Test func everyUnknownKeyIsNamedWithItsLikelyMeaning() {
        let p = StrategyParameters(["spread": .int(3), "sise": .string("1"), "foo": .int(1)], symbols: ["BTCUSD"])
        do {
            try p.requireOnly(["spread_bps", "size", "symbol"])
            Issue.record("unknown keys accepted")
        } catch {
            #expect(error.description == #"strategy.params.foo: is not a parameter of this strategy; also unknown: strategy.params.sise (did you mean "size"?), strategy.params.spread (did you mean "spread_bps"?); its parameters are size, spread_bps, symbol"#)
        }
    }

    @Test func aSymbolOutsideTheEnginesSymbolsIsRefused() throws {
        let p = StrategyParameters(["symbol": .string("ethusd")], symbols: ["BTCUSD", "SOLUSD"])
        #expect(throws: StrategyParameterError(parameter: "strategy.params.symbol",
                                               problem: .invalid("ETHUSD is not one of [engine] symbols (BTCUSD, SOLUSD): add it there or trade one of those"))) {
            try p.symbol()
        }
        #expect(try StrategyParameters(["symbol": .string("solusd")], symbols: ["BTCUSD", "SOLUSD"]).symbol() == "SOLUSD")
        // Without engine symbols (a plug-in's own tests) any symbol is taken.
        #expect(try StrategyParameters(["symbol": .string("ethusd")]).symbol() == "ETHUSD")
    }
}
