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
}
