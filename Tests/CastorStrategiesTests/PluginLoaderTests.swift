import CastorCore
import CastorStrategy
import Foundation
import Testing

@Suite(.serialized, .timeLimit(.minutes(10))) struct PluginLoaderTests {
    @Test(.timeLimit(.minutes(10)))
    func loadsTheExamplePluginAndDrivesItsStrategy() async throws {
        let path = try await PluginBuilder.examplePlugin().get()
        // The loader's checked cast of the registration to the host's class is the type
        // identity proof: it throws typeIdentityMismatch if the plug-in bound to its own
        // copy of CastorStrategy (libCastorStrategy.so) instead of the host's.
        let plugin = try PluginLoader.load(path: path)
        #expect(plugin.pluginName == "example-plugin")
        #expect(plugin.strategyNames == ["example-pinger"])

        // The strategy is used through the host's `any Strategy` and calls back through the
        // host's `any StrategyContext`; with two copies of the protocols these witness
        // tables would not match.
        let strategy = try plugin.factory(named: "example-pinger").make(parameters: StrategyParameters([
            "symbol": .string("btcusd"), "offset_bps": .int(100),
        ]))
        let ctx = FakeContext()
        strategy.start(context: ctx)
        strategy.onBook(symbol: "btcusd", book: ctx.setBook(bid: d("30000.01"), ask: d("30010")), context: ctx)
        // 30000.01 × 0.99 = 29700.0099 → buy rounded down to 29700.00, minimum size
        #expect(ctx.placed == [FakeContext.Placed(
            id: "c1", symbol: "BTCUSD", side: .buy, price: d("29700.00"), amount: d("0.00001"), options: .makerOrCancel
        )])
        ctx.fill("c1", strategy: strategy)
        #expect(ctx.logs.contains { $0.message == "example-pinger filled" && $0.fields["order"] == "c1" })
        // the order closed, so the next book places a new one
        strategy.onBook(symbol: "btcusd", book: ctx.setBook(bid: d("30000.01"), ask: d("30010")), context: ctx)
        #expect(ctx.placed.count == 2)

        // plug-in parameter errors are the same typed errors
        #expect(throws: StrategyParameterError(parameter: "strategy.params.symbol", problem: .missing)) {
            try plugin.factory(named: "example-pinger").make(parameters: StrategyParameters())
        }

        // loading the same path again is fine (the loader never unloads)
        #expect(try PluginLoader.load(path: path).strategyNames == ["example-pinger"])

        #expect(throws: PluginLoadError.strategyNotFound(path: path, name: "nope", available: ["example-pinger"])) {
            try PluginLoader.factory(path: path, name: "nope")
        }
    }

    @Test func missingFile() {
        let path = "/nonexistent/libNope.so"
        #expect(throws: PluginLoadError.fileMissing(path: path)) { try PluginLoader.load(path: path) }
        #expect(PluginLoadError.fileMissing(path: path).description.contains(path))
    }

    @Test func notASharedLibrary() throws {
        let path = try PluginBuilder.textFile(named: "castor.toml", "[strategy]\nname = \"grid\"\n")
        #expect(throws: PluginLoadError.notASharedLibrary(path: path, detail: "no ELF header")) { try PluginLoader.load(path: path) }
    }

    @Test func libraryWithoutTheEntryPoint() async throws {
        let path = try await PluginBuilder.cLibrary(named: "noentry", source: "int something_else(void) { return 1; }\n")
        #expect(throws: PluginLoadError.symbolMissing(path: path, symbol: "castor_strategy_plugin_v1")) {
            try PluginLoader.load(path: path)
        }
    }

    @Test func pluginBuiltForAnotherInterfaceVersion() async throws {
        // What a plug-in compiled against a future CastorStrategy would answer.
        let path = try await PluginBuilder.cLibrary(named: "wrongversion", source: """
            #include <stdint.h>
            #include <stddef.h>
            void *castor_strategy_plugin_v1(uint32_t host, uint32_t *plugin) {
                if (plugin) *plugin = 999;
                return NULL;
            }
            """)
        let host = StrategyPluginABI.interfaceVersion
        #expect(throws: PluginLoadError.versionMismatch(path: path, pluginVersion: 999, hostVersion: host)) {
            try PluginLoader.load(path: path)
        }
        let message = PluginLoadError.versionMismatch(path: path, pluginVersion: 999, hostVersion: host).description
        #expect(message.contains(path) && message.contains("999"))
    }

    @Test func unloadableLibraryReportsTheLoaderMessage() async throws {
        let path = try await PluginBuilder.cLibrary(named: "undefinedref", source: """
            extern int castor_no_such_function(void);
            int castor_strategy_plugin_v1(void) { return castor_no_such_function(); }
            """)
        do {
            _ = try PluginLoader.load(path: path)
            Issue.record("expected openFailed")
        } catch .openFailed(let p, let detail) {
            #expect(p == path && detail.contains("castor_no_such_function"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
