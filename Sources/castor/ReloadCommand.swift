import ArgumentParser
import Foundation

/// `castor reload`: asks the running daemon to re-read its configuration (as SIGHUP does)
/// and waits for the outcome, so a refused file fails the command, and with it
/// `systemctl reload` (the unit's `ExecReload=`).
struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Reload the running daemon's configuration and wait for the outcome.",
        discussion: "Exit 0 applied (or nothing changed); 1 refused, rolled back or failed (the reason on stderr); 69 no daemon answers; 78 bad --config."
    )

    @Option(help: "The configuration the daemon runs with (for its state directory).")
    var config: String?

    func run() throws {
        let answer = try ControlCommand.ask(.reload, config: config, timeoutSeconds: 150)
        print("reload \(answer["reload"] as? String ?? "applied"): \(answer["detail"] as? String ?? "")")
    }
}
