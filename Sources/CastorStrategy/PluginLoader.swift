#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loads strategy plug-ins (shared libraries implementing ``StrategyPluginABI``).
///
/// Libraries are opened with `RTLD_NOW | RTLD_LOCAL`: NOW so a plug-in with unresolved
/// symbols fails at load time with a clear error rather than crashing mid-trade, LOCAL so
/// two plug-ins cannot interpose each other's symbols. Plug-ins are never unloaded: Swift
/// type metadata and conformances registered by the library cannot be unregistered, so
/// `dlclose` would leave dangling runtime records. Reloading the same path returns the
/// same library (the dynamic loader de-duplicates it).
///
/// Type identity: the plug-in references CastorStrategy's types (`Strategy`,
/// `StrategyPluginRegistration`, ...) by symbol. They must resolve to the host's copies,
/// which requires the host executable to export its symbols (`--export-dynamic`); the
/// loader verifies it with a checked cast and throws
/// ``PluginLoadError/typeIdentityMismatch(path:)`` otherwise.
public enum PluginLoader {
    /// Loads the plug-in at `path`. Call it on the engine queue: dlopen and the
    /// plug-in's registration run synchronously.
    public static func load(path: String) throws(PluginLoadError) -> LoadedPlugin {
        try checkFile(path)
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw .openFailed(path: path, detail: lastDLError())
        }
        guard let sym = dlsym(handle, StrategyPluginABI.entryPointSymbol) else {
            throw .symbolMissing(path: path, symbol: StrategyPluginABI.entryPointSymbol)
        }
        let entry = unsafeBitCast(sym, to: StrategyPluginABI.EntryPoint.self)
        let hostVersion = StrategyPluginABI.interfaceVersion
        var pluginVersion: UInt32 = 0
        let raw = entry(hostVersion, &pluginVersion)
        guard pluginVersion == hostVersion else {
            // Whatever came back (if anything) was built for another layout; leaking it is
            // the only safe thing to do with it.
            throw .versionMismatch(path: path, pluginVersion: pluginVersion, hostVersion: hostVersion)
        }
        guard let raw else {
            throw .versionMismatch(path: path, pluginVersion: pluginVersion, hostVersion: hostVersion)
        }
        let object = Unmanaged<AnyObject>.fromOpaque(raw).takeRetainedValue()
        guard let registration = object as? StrategyPluginRegistration,
              registration.interfaceVersion == hostVersion else {
            throw .typeIdentityMismatch(path: path)
        }
        return LoadedPlugin(path: path, pluginName: registration.pluginName, factories: registration.factories)
    }

    /// Loads the plug-in at `path` and returns its factory for strategy `name`.
    public static func factory(path: String, name: String) throws(PluginLoadError) -> any StrategyFactory {
        try load(path: path).factory(named: name)
    }

    /// Distinguishes "missing" and "not a library" from other dlopen failures, whose
    /// messages are hard to tell apart.
    private static func checkFile(_ path: String) throws(PluginLoadError) {
        guard let f = fopen(path, "rb") else { throw .fileMissing(path: path) }
        defer { fclose(f) }
        var magic = [UInt8](repeating: 0, count: 4)
        let n = fread(&magic, 1, 4, f)
        #if canImport(Darwin)
        let ok = n == 4 && (magic == [0xCF, 0xFA, 0xED, 0xFE] || magic == [0xCA, 0xFE, 0xBA, 0xBE])
        let kind = "no Mach-O header"
        #else
        let ok = n == 4 && magic == [0x7F, 0x45, 0x4C, 0x46]
        let kind = "no ELF header"
        #endif
        guard ok else { throw .notASharedLibrary(path: path, detail: kind) }
    }

    private static func lastDLError() -> String {
        guard let e = dlerror() else { return "unknown dlopen error" }
        return String(cString: e)
    }
}
