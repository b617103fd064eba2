import CastorStrategy

/// What `castor --version` prints: the release, and the build identity a strategy plug-in
/// must match to load (`PluginLoader` refuses any other).
///
/// A plug-in is Swift code linked against this build's `CastorStrategy`: it loads only when
/// it reports the same `StrategyPluginABI.interfaceVersion` through the same entry point,
/// and Swift on Linux has no stable ABI, so it must also come from the same compiler. The
/// second line names all three, for comparing with the plug-in's own build.
enum CastorVersion {
    /// The release of this source tree.
    static let release = "0.1.0"

    /// The compiler this binary was built with (`major.minor`), the third part of the
    /// identity a plug-in must share.
    static let compiler: String = {
        #if compiler(>=6.5)
        return "6.5+"
        #elseif compiler(>=6.4)
        return "6.4"
        #elseif compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #else
        return "older than 6.2"
        #endif
    }()

    /// The plug-in ABI token: `<entry point symbol>/<interface version>`.
    static var pluginABI: String {
        "\(StrategyPluginABI.entryPointSymbol)/\(StrategyPluginABI.interfaceVersion)"
    }

    /// The git commit of the tree this binary was built from (`CastorBuildInfo`, written by
    /// the build's plugin): 12 hex digits, `unknown` outside a git checkout. Uncommitted
    /// changes are not marked (the plugin reruns on commits, not on every edit).
    static let commit = CastorBuildInfo.commit

    /// `castor 0.1.0 (commit 1bc2b1b0c4d2)` and, on the next line,
    /// `plugin-abi castor_strategy_plugin_v1/3 swift 6.3`.
    static var text: String {
        "castor \(release) (commit \(commit))\nplugin-abi \(pluginABI) swift \(compiler)"
    }
}
