import CastorStrategy
import Testing

@testable import CastorStrategies

/// What `castor list-strategies` says about each built-in's parameters is what the
/// built-in does: a listed default, given explicitly, changes nothing, and every listed
/// name is accepted.
@Suite struct ParameterSpecTests {
    /// A spec's default as written in TOML, read back as the parser would hand it over.
    private func value(_ literal: String) -> ParameterValue {
        if literal.hasPrefix("\""), literal.hasSuffix("\""), literal.count >= 2 {
            return .string(String(literal.dropFirst().dropLast()))
        }
        if let i = Int(literal) { return .int(i) }
        if literal == "true" || literal == "false" { return .bool(literal == "true") }
        Issue.record("default \(literal) is neither a quoted string, an integer nor a bool")
        return .string(literal)
    }

    private func checkDefaults<P: Equatable>(
        _ specs: [StrategyParameterSpec], required: [String: ParameterValue] = [:],
        _ make: (StrategyParameters) throws(StrategyParameterError) -> P
    ) throws {
        let symbols = ["BTCUSD"]
        let implicit = try make(StrategyParameters(required, symbols: symbols))
        var checked = 0
        for spec in specs {
            var explicit = required
            if spec.defaultsToFirstSymbol {
                explicit[spec.name] = .string("BTCUSD")
            } else if let literal = spec.defaultValue {
                explicit[spec.name] = value(literal)
            } else {
                continue
            }
            #expect(try make(StrategyParameters(explicit, symbols: symbols)) == implicit, "default of \(spec.name)")
            checked += 1
        }
        #expect(checked > 0)
    }

    @Test func marketMakerDefaultsAreItsBehaviour() throws {
        try checkDefaults(MarketMakerParameters.specs) { p throws(StrategyParameterError) in try MarketMakerParameters(p) }
    }

    @Test func gridDefaultsAreItsBehaviour() throws {
        try checkDefaults(GridParameters.specs) { p throws(StrategyParameterError) in try GridParameters(p) }
    }

    @Test func twapDefaultsAreItsBehaviour() throws {
        try checkDefaults(TWAPParameters.specs, required: ["side": .string("buy"), "target_amount": .string("1")]) {
            p throws(StrategyParameterError) in try TWAPParameters(p)
        }
    }

    @Test func observeDefaultsAreItsBehaviour() throws {
        try checkDefaults(ObserveParameters.specs) { p throws(StrategyParameterError) in try ObserveParameters(p) }
    }

    @Test func aRequiredParameterLeftOutIsRefusedByName() {
        #expect(TWAPParameters.specs.filter(\.isRequired).map(\.name) == ["side", "target_amount"])
        #expect(throws: StrategyParameterError.self) { try TWAPParameters(StrategyParameters(["side": .string("buy")], symbols: ["BTCUSD"])) }
    }

    @Test func theBuiltInFactoriesPublishTheirSpecs() {
        for factory in BuiltinStrategies.factories {
            #expect(!factory.parameters.isEmpty, "\(factory.name) lists no parameters")
            #expect(Set(factory.parameters.map(\.name)).count == factory.parameters.count, "\(factory.name) lists a name twice")
        }
    }
}
