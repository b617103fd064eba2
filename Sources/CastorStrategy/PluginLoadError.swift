#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
    /// The plug-in file or its directory (`path`; `plugin` is the path as configured) is
    /// writable by group or others, so someone else could replace the code castor runs.
    /// Nothing was loaded.
    case unsafePermissions(path: String, item: UnsafeItem, mode: UInt32, ownerUID: UInt32, plugin: String)
    /// The plug-in file or its directory is owned by neither root nor castor's user.
    /// Nothing was loaded.
    case untrustedOwner(path: String, item: UnsafeItem, mode: UInt32, ownerUID: UInt32, plugin: String)

    /// Which of the two checked paths an ownership refusal is about.
    public enum UnsafeItem: String, Sendable, Hashable {
        /// The library file itself (symlinks resolved).
        case file
        /// The directory that holds it.
        case directory
    }

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
        case let .unsafePermissions(p, item, mode, _, plugin):
            "strategy plug-in \(plugin): refused, not loaded: its \(item == .file ? "file" : "directory") \(p) has mode \(String(mode, radix: 8)), writable by \([mode & 0o020 != 0 ? "group" : nil, mode & 0o002 != 0 ? "others" : nil].compactMap { $0 }.joined(separator: " and ")), so another user could replace the code castor runs; run `chmod go-w \(p)`"
        case let .untrustedOwner(p, item, mode, uid, plugin):
            "strategy plug-in \(plugin): refused, not loaded: its \(item == .file ? "file" : "directory") \(p) (mode \(String(mode, radix: 8))) is owned by uid \(uid), neither root nor castor's user (uid \(geteuid())); chown it to root or to castor's user"
        case let .strategyNotFound(p, n, a):
            "strategy plug-in \(p): has no strategy \"\(n)\" (it offers: \(a.isEmpty ? "none" : a.joined(separator: ", ")))"
        }
    }
}
