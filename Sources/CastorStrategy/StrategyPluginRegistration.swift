/// What a plug-in hands the host: its name and its strategy factories.
public final class StrategyPluginRegistration {
    /// The interface version the plug-in was compiled against.
    public let interfaceVersion: UInt32
    /// A name for logs and errors.
    public let pluginName: String
    public let factories: [any StrategyFactory]

    @_alwaysEmitIntoClient
    public convenience init(pluginName: String, factories: [any StrategyFactory]) {
        self.init(interfaceVersion: StrategyPluginABI.interfaceVersion, pluginName: pluginName, factories: factories)
    }

    public init(interfaceVersion: UInt32, pluginName: String, factories: [any StrategyFactory]) {
        self.interfaceVersion = interfaceVersion
        self.pluginName = pluginName
        self.factories = factories
    }

    /// The whole body of a plug-in's entry point (see ``StrategyPluginABI``): reports the
    /// compiled-in interface version and returns the retained registration only when the
    /// host's version matches. Emitted into the plug-in, for the reason given on
    /// ``StrategyPluginABI/interfaceVersion``.
    @_alwaysEmitIntoClient
    public static func export(
        hostVersion: UInt32, pluginVersion: UnsafeMutablePointer<UInt32>?,
        _ make: () -> StrategyPluginRegistration
    ) -> UnsafeMutableRawPointer? {
        pluginVersion?.pointee = StrategyPluginABI.interfaceVersion
        guard hostVersion == StrategyPluginABI.interfaceVersion else { return nil }
        return Unmanaged.passRetained(make()).toOpaque()
    }
}
