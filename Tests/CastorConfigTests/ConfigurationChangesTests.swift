import CastorCore
import Testing
@testable import CastorConfig

@Suite struct ConfigurationChangesTests {
    @Test func classifiesChanges() {
        let old = CastorConfiguration(environment: [:])
        #expect(ConfigurationChanges(from: old, to: old).isEmpty)

        var live = old
        live.log.level = .debug
        live.risk.defaults.killSwitch = true
        live.strategy.parameters = StrategyParameterTable(["levels": .integer(3)])
        let liveDiff = ConfigurationChanges(from: old, to: live)
        #expect(liveDiff.changes == [.strategyParameters, .risk, .logLevel])
        #expect(!liveDiff.requiresReconnect && !liveDiff.requiresRestart)

        var venue = old
        venue.venue = .sandbox
        #expect(ConfigurationChanges(from: old, to: venue).requiresReconnect)
        #expect(ConfigurationChanges(from: old, to: venue).requiresNewEngine)
        let rotated = ConfigurationChanges(from: old, to: old, oldCredentialKey: "account-a", newCredentialKey: "account-b")
        #expect(rotated.changes == [.credentials] && rotated.requiresNewEngine)
        var subAccount = old
        subAccount.account.account = "desk-2"
        #expect(ConfigurationChanges(from: old, to: subAccount).requiresNewEngine)

        // Symbols reconnect market data inside the running engine: no new engine.
        var symbols = old
        symbols.engine.symbols = ["BTCUSD", "ETHUSD"]
        let symbolsDiff = ConfigurationChanges(from: old, to: symbols)
        #expect(symbolsDiff.changes == [.symbols])
        #expect(ConfigurationChanges.effect(of: .symbols) == .reconnect)
        #expect(symbolsDiff.requiresReconnect && !symbolsDiff.requiresNewEngine && symbolsDiff.liveChanges.isEmpty)

        var format = old
        format.log.format = .text
        format.log.formatIsExplicit = true  // written in the file
        #expect(ConfigurationChanges(from: old, to: format).requiresRestart)
    }
}
