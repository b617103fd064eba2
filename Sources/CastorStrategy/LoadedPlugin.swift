/// A strategy plug-in loaded into the process.
public struct LoadedPlugin {
    /// The path it was loaded from.
    public let path: String
    public let pluginName: String
    public let factories: [any StrategyFactory]

    /// Factory names, in the plug-in's order.
    public var strategyNames: [String] { factories.map(\.name) }

    /// The plug-in's factory for strategy `name`.
    public func factory(named name: String) throws(PluginLoadError) -> any StrategyFactory {
        guard let f = factories.first(where: { $0.name == name }) else {
            throw .strategyNotFound(path: path, name: name, available: strategyNames)
        }
        return f
    }
}
