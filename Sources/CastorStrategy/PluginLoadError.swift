/// Why a strategy plug-in could not be loaded. Every case names the plug-in's path.
public enum PluginLoadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Nothing (readable) at `path`.
    case fileMissing(path: String)
    /// The file is not an ELF shared object (or Mach-O dylib on macOS).
    case notASharedLibrary(path: String, detail: String)
    /// `dlopen` failed on a real library, typically a missing dependency such as
    /// `libCastorStrategy.so` or an undefined symbol from another Castor version.
    case openFailed(path: String, detail: String)
    /// The library does not export ``StrategyPluginABI/entryPointSymbol``.
    case symbolMissing(path: String, symbol: String)
    /// The plug-in was compiled against another CastorStrategy interface version.
    case versionMismatch(path: String, pluginVersion: UInt32, hostVersion: UInt32)
    /// The plug-in's registration is not the host's `StrategyPluginRegistration` type: the
    /// plug-in bound to a second copy of CastorStrategy, so its strategies would not be
    /// the host's `Strategy` either. The host executable must export its symbols
    /// (`-Xlinker --export-dynamic`).
    case typeIdentityMismatch(path: String)
    /// The plug-in loaded but offers no strategy called `name`.
    case strategyNotFound(path: String, name: String, available: [String])

    public var description: String {
        switch self {
        case .fileMissing(let p):
            "strategy plug-in \(p): no such file"
        case let .notASharedLibrary(p, d):
            "strategy plug-in \(p): not a shared library (\(d))"
        case let .openFailed(p, d):
            "strategy plug-in \(p): cannot be loaded: \(d)"
        case let .symbolMissing(p, s):
            "strategy plug-in \(p): does not export the entry point \(s); is it a Castor strategy plug-in?"
        case let .versionMismatch(p, pv, hv):
            "strategy plug-in \(p): built for strategy interface version \(pv), this castor provides version \(hv); rebuild the plug-in against this Castor"
        case .typeIdentityMismatch(let p):
            "strategy plug-in \(p): its CastorStrategy types are not the host's (the host does not export its symbols; link it with -Xlinker --export-dynamic)"
        case let .strategyNotFound(p, n, a):
            "strategy plug-in \(p): has no strategy \"\(n)\" (it offers: \(a.isEmpty ? "none" : a.joined(separator: ", ")))"
        }
    }
}
