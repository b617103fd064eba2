import CastorCore
import CastorStrategy
import Testing
@testable import CastorStrategies

/// Issue 10, defect 8: a strategy parameter can never trap while parsing or later in the
/// strategy's arithmetic; out-of-range values are refused by name.
@Suite struct ParameterBoundsTests {
    private func p(_ values: [String: ParameterValue]) -> StrategyParameters { StrategyParameters(values, symbols: ["BTCUSD"]) }

    /// Before: `"1e38h"` multiplied 1e38 by 3,600,000 with the trapping `*`.
    @Test func overlongDurationsAreRefusedNotTrapped() throws {
        #expect(StrategyParameters.parseDuration("1e38h") == nil)
        #expect(StrategyParameters.parseDuration("170141183460469231731687303715884105727ms") == nil)
        #expect(StrategyParameters.parseDuration("9223372036854775808ms") == nil)
        #expect(StrategyParameters.parseDuration("1e400s") == nil)
        let too = StrategyParameterError(parameter: "strategy.params.duration", problem: .invalid("must be at most 1000000000s (about 31 years)"))
        for text in ["1e38h", "99999999999999999999999999999999999999999h", "40000000000s"] {
            #expect(throws: too) { try p(["duration": .string(text)]).durationMs("duration") }
        }
        #expect(throws: too) { try p(["duration": .int(Int.max)]).durationMs("duration") }
        #expect(throws: too) { try p(["duration": .durationMs(.max)]).durationMs("duration") }
        #expect(try p(["duration": .string("1000000000s")]).durationMs("duration") == StrategyParameters.maximumDurationMs)
        #expect(throws: too) {
            try BuiltinStrategies.registry.make(name: "twap", parameters: p([
                "side": .string("buy"), "target_amount": .string("1"), "duration": .string("1e38h"),
            ]))
        }
        #expect(throws: StrategyParameterError(parameter: "strategy.params.log_interval", problem: .invalid("must be at most 1000000000s (about 31 years)"))) {
            try BuiltinStrategies.registry.make(name: "observe", parameters: p(["log_interval": .string("1e20h")]))
        }
    }

    @Test func decimalsAreBoundedSoProductsCannotOverflow() throws {
        let range = StrategyParameterError(parameter: "strategy.params.target_amount",
                                           problem: .invalid("must be below 10^15 with at most 18 decimal places"))
        #expect(throws: range) {
            try BuiltinStrategies.registry.make(name: "twap", parameters: p([
                "side": .string("buy"), "target_amount": .string("1e30"), "slices": .int(10),
            ]))
        }
        #expect(throws: StrategyParameterError.self) { try p(["x": .decimal(ExactDecimal(mantissa: .min, scale: 0))]).decimal("x") }
        #expect(throws: StrategyParameterError.self) { try p(["x": .string("0.0000000000000000001")]).decimal("x") }
        #expect(try p(["x": .string("999999999999999.999999999999999999")]).decimal("x").scale == 18)
        #expect(try p(["x": .string("1.50000000000000000000")]).decimal("x") == ExactDecimal(mantissa: 15, scale: 1))
    }

    @Test func countsAndBasisPointsAreBounded() {
        let cases: [(String, String, Int, String)] = [
            ("grid", "levels", 1_000_000_000, "must be at most 1000"),
            ("grid", "step_bps", Int.max, "must be at most 10000"),
            ("market-maker", "spread_bps", Int.max, "must be at most 10000"),
            ("market-maker", "requote_bps", 10_001, "must be at most 10000"),
            ("twap", "slices", Int.max, "must be at most 100000"),
            ("twap", "max_slippage_bps", Int.max, "must be at most 10000"),
        ]
        for (strategy, key, value, must) in cases {
            var values: [String: ParameterValue] = [key: .int(value)]
            if strategy == "twap" { values["side"] = .string("buy"); values["target_amount"] = .string("1") }
            #expect(throws: StrategyParameterError(parameter: "strategy.params.\(key)", problem: .invalid(must))) {
                try BuiltinStrategies.registry.make(name: strategy, parameters: p(values))
            }
        }
        #expect(throws: StrategyParameterError(parameter: "strategy.params.requote_bps", problem: .invalid("must be a non-negative integer"))) {
            try BuiltinStrategies.registry.make(name: "market-maker", parameters: p(["requote_bps": .int(-1)]))
        }
    }
}
