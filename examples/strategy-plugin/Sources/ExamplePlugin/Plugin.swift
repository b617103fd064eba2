import CastorStrategy

/// The plug-in's single exported entry point (see `StrategyPluginABI`). The name must be
/// exactly this; everything else in the library is private to it.
@_cdecl("castor_strategy_plugin_v1")
public func castorStrategyPluginV1(_ hostVersion: UInt32, _ pluginVersion: UnsafeMutablePointer<UInt32>?) -> UnsafeMutableRawPointer? {
    StrategyPluginRegistration.export(hostVersion: hostVersion, pluginVersion: pluginVersion) {
        StrategyPluginRegistration(pluginName: "example-plugin", factories: [
            ClosureStrategyFactory(name: "example-pinger", summary: "one tiny maker buy below the bid; logs fills") {
                try ExamplePinger(parameters: $0)
            },
        ])
    }
}
