/// Where the control socket lives: `$RUNTIME_DIRECTORY/castor.sock` under systemd
/// (`RuntimeDirectory=castor`; the first entry if several), else `castor.sock` in the
/// engine's state directory. The daemon and the commands that talk to it both ask here.
public enum ControlSocketPath {
    public static let fileName = "castor.sock"

    public static func resolve(environment: [String: String], stateDirectory: String) -> String {
        if let runtime = environment["RUNTIME_DIRECTORY"], let first = runtime.split(separator: ":").first, !first.isEmpty {
            return String(first) + "/" + fileName
        }
        var dir = stateDirectory
        while dir.count > 1, dir.hasSuffix("/") { dir.removeLast() }
        return dir + "/" + fileName
    }

    /// The state directory the shipped units give the daemon that runs `config` (an absolute
    /// path): `/etc/castor/castor.toml` is castor.service's `/var/lib/castor`,
    /// `/etc/castor/NAME.toml` castor@NAME's `/var/lib/castor-NAME`; nil for any other file.
    /// The units pass it as `$STATE_DIRECTORY`, which an operator's shell does not have, so
    /// `castor status --config /etc/castor/castor.toml` would otherwise look in `~/.local/state`.
    public static func unitStateDirectory(forConfig config: String) -> String? {
        let folder = "/etc/castor/", suffix = ".toml"
        guard config.hasPrefix(folder), config.hasSuffix(suffix), config.count > folder.count + suffix.count else { return nil }
        let name = config.dropFirst(folder.count).dropLast(suffix.count)
        guard !name.contains("/") else { return nil }
        return name == "castor" ? "/var/lib/castor" : "/var/lib/castor-\(name)"
    }
}
