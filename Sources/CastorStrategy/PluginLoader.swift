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
        try checkOwnership(path)
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

    /// Refuses a library that someone other than root or this process's user could have
    /// written or swapped: loading it runs its code with the daemon's API key.
    ///
    /// The symlink-resolved file and the directory that holds it must each be owned by root
    /// or the effective user and not be writable by group or others (a writable directory,
    /// even a sticky one, lets another user put a different file at that name before the
    /// next load). Directories further up are not checked; whoever controls those is
    /// trusted like the administrator who chose the path. There is a window between this
    /// check and `dlopen`, but closing it would need write access that the check refuses.
    static func checkOwnership(_ path: String) throws(PluginLoadError) {
        guard let resolved = realpath(path, nil) else { throw .fileMissing(path: path) }
        let file = String(cString: resolved)
        free(resolved)
        let directory = file.lastIndex(of: "/").map { $0 == file.startIndex ? "/" : String(file[..<$0]) } ?? "."
        let user = geteuid()
        for (candidate, kind) in [(file, PluginLoadError.UnsafeItem.file), (directory, .directory)] {
            var info = stat()
            guard stat(candidate, &info) == 0 else { throw .fileMissing(path: candidate) }
            let mode = UInt32(info.st_mode) & 0o7777
            if mode & 0o022 != 0 {
                throw .unsafePermissions(path: candidate, item: kind, mode: mode, ownerUID: UInt32(info.st_uid), plugin: path)
            }
            if info.st_uid != 0 && info.st_uid != user {
                throw .untrustedOwner(path: candidate, item: kind, mode: mode, ownerUID: UInt32(info.st_uid), plugin: path)
            }
        }
    }

    private static func lastDLError() -> String {
        guard let e = dlerror() else { return "unknown dlopen error" }
        return String(cString: e)
    }
}
