import CastorCore
import Testing
@testable import CastorConfig

@Suite struct StrategyParametersTests {
    @Test func typedAccessorsAndErrorsWithLocation() throws {
        let config = try CastorConfiguration.parse(text: """
            [strategy]
            name = "grid"
            [strategy.params]
            levels = 5
            step = "0.5"
            whole = 2
            enabled = true
            label = "a"
            every = "250ms"
            timeout = 3
            """, fileName: "grid.toml", environment: [:])
        let p = config.strategy.parameters
        #expect(try p.int("levels") == 5)
        #expect(try p.decimal("step") == ExactDecimal("0.5"))
        #expect(try p.decimal("whole") == ExactDecimal(2))
        #expect(try p.bool("enabled") == true)
        #expect(try p.string("label") == "a")
        #expect(try p.duration("every") == .milliseconds(250))
        #expect(try p.duration("timeout") == .seconds(3))
        #expect(try p.int("missing") == nil)
        #expect(try p.int("missing", default: 7) == 7)
        #expect(throws: StrategyParameterError.wrongType(location: "grid.toml:5: strategy.params.step", expected: "an integer", found: "a string")) {
            try p.int("step")
        }
        #expect(throws: StrategyParameterError.self) { try p.decimal("label") }
        #expect(throws: StrategyParameterError.self) { try p.duration("enabled") }
    }

    @Test func equalityIgnoresLocations() throws {
        let a = try CastorConfiguration.parse(text: "[strategy.params]\nx = 1", fileName: "a", environment: [:])
        let b = try CastorConfiguration.parse(text: "\n\n[strategy.params]\nx = 1", fileName: "b", environment: [:])
        #expect(a.strategy.parameters == b.strategy.parameters)
    }
}

