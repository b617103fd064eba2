/// The binary contract between the host and a strategy plug-in.
///
/// A plug-in is a shared library exporting exactly one C symbol,
/// ``entryPointSymbol``, of type ``EntryPoint``:
///
/// ```swift
/// @_cdecl("castor_strategy_plugin_v1")
/// public func castorStrategyPlugin(_ host: UInt32, _ plugin: UnsafeMutablePointer<UInt32>?) -> UnsafeMutableRawPointer? {
///     StrategyPluginRegistration.export(hostVersion: host, pluginVersion: plugin) {
///         StrategyPluginRegistration(pluginName: "my-plugin", factories: [MyFactory()])
///     }
/// }
/// ```
///
/// The host calls it with its ``interfaceVersion``; the plug-in writes the version it was
/// compiled against into the out-parameter and returns a retained
/// ``StrategyPluginRegistration`` only when the two are equal, else nil. The handshake
/// uses C integers only, so a mismatched plug-in is rejected before the host touches any
/// Swift object whose layout might differ.
public enum StrategyPluginABI {
    /// The C symbol every plug-in exports. Its suffix versions the C signature, which is
    /// meant never to change; Swift-level changes bump ``interfaceVersion`` instead.
    public static let entryPointSymbol = "castor_strategy_plugin_v1"

    /// The version of the CastorStrategy interface (every public type in this module).
    /// Bump it whenever any of them changes in a way that breaks binary compatibility.
    ///
    /// `@_alwaysEmitIntoClient` because the plug-in must report the version it was
    /// *compiled* against: a normal public property would, at run time, resolve to the
    /// host's copy and always agree.
    @_alwaysEmitIntoClient
    public static var interfaceVersion: UInt32 { 3 }

    /// The C type of the entry point.
    public typealias EntryPoint = @convention(c) (UInt32, UnsafeMutablePointer<UInt32>?) -> UnsafeMutableRawPointer?
}
