import ArgumentParser
import CastorConfig
import CastorDaemon
import CastorStatus
import Foundation

/// `castor status`: asks the running daemon, over its control socket, what it is doing.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the running daemon's state: feeds, open orders, positions, balances, PnL, risk.",
        discussion: """
        Talks to the daemon's control socket ($RUNTIME_DIRECTORY/castor.sock under systemd, else \
        castor.sock in the state directory of --config; for /etc/castor/castor.toml or NAME.toml \
        naming none, the units' /var/lib/castor or /var/lib/castor-NAME). Exit 0 with the report; \
        69 when no daemon answers; 78 for a bad --config.
        """
    )

    @Option(help: "The configuration the daemon runs with (for its state directory).")
    var config: String?

    @Flag(help: "Print the report as one JSON object.")
    var json = false

    func run() throws {
        let answer = try ControlCommand.ask(.status, config: config)
        guard let status = answer["status"] else { throw ControlCommand.fail("the daemon's answer has no status: \(answer)") }
        let data = try JSONSerialization.data(withJSONObject: status, options: [.sortedKeys, .withoutEscapingSlashes])
        let text = String(decoding: data, as: UTF8.self)
        if json {
            print(text)
        } else {
            do { print(try StatusReport(json: text).text, terminator: "") } catch {
                throw ControlCommand.fail("the daemon's status could not be read (\(error)); try --json")
            }
        }
    }
}

/// `castor kill-switch on|off`: engages (cancel everything, refuse new orders) or releases
/// the running daemon's kill switch through its control socket.
struct KillSwitchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kill-switch",
        abstract: "Engage (on) or release (off) the running daemon's kill switch.",
        discussion: "Engaging cancels every order of this session and refuses new ones until released. Exit 0 done; 69 no daemon answers."
    )

    enum State: String, ExpressibleByArgument { case on, off }

    @Argument(help: "on or off.")
    var state: State

    @Option(help: "The configuration the daemon runs with (for its state directory).")
    var config: String?

    func run() throws {
        let answer = try ControlCommand.ask(.killSwitch(engage: state == .on), config: config)
        let engaged = answer["kill_switch"] as? Bool ?? (state == .on)
        let changed = answer["changed"] as? Bool ?? true
        print("kill switch \(engaged ? "engaged" : "released")\(changed ? "" : " (it already was)")")
    }
}

/// What the control commands share: finding the socket, asking, reading the answer.
enum ControlCommand {
    static func fail(_ message: String, code: Int32 = 69) -> Error {
        FileHandle.standardError.write(Data("castor: \(message)\n".utf8))
        return ExitCode(code)
    }

    static func ask(_ request: ControlRequest, config: String?, timeoutSeconds: Int = 10) throws -> [String: Any] {
        let environment = ProcessInfo.processInfo.environment
        let configuration: CastorConfiguration
        if let config {
            do { configuration = try CastorConfiguration.load(path: config, environment: environment) } catch {
                throw fail("\(config) is invalid: \(error.description)", code: 78)
            }
        } else {
            configuration = CastorConfiguration(environment: environment)
        }
        var path = ControlSocketPath.resolve(environment: environment, stateDirectory: configuration.engine.stateDirectory)
        // A daemon under the shipped units got its state directory from systemd, not from the
        // file: for the units' own files that name none, ask there (unless a daemon answers
        // where the file alone points, as one started by hand would).
        if let config, environment["STATE_DIRECTORY"] == nil, environment["RUNTIME_DIRECTORY"] == nil,
           configuration.engine.stateDirectory == EngineConfiguration.defaultStateDirectory(environment: environment),
           !FileManager.default.fileExists(atPath: path),
           let unit = ControlSocketPath.unitStateDirectory(forConfig: URL(fileURLWithPath: config).standardizedFileURL.path) {
            path = ControlSocketPath.resolve(environment: [:], stateDirectory: unit)
        }
        let line: String
        do { line = try ControlSocketClient.request(request.line, path: path, timeoutSeconds: timeoutSeconds) } catch {
            throw fail(error.description)
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else {
            throw fail("unreadable answer from the daemon: \(line.prefix(200))")
        }
        guard object["ok"] as? Bool == true else {
            throw fail("the daemon refused: \(object["error"] as? String ?? line)", code: 1)
        }
        return object
    }
}
