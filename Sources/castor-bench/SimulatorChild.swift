import CastorEngine
import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The simulator (`castor-sim`, or `castor sim`, which runs it) as a child process of a
/// benchmark, so the simulator's threads and memory (its ledger keeps every order and
/// trade) are not counted as the engine's.
///
/// Configured through a JSON file (`SimulatorConfig`'s form); its URLs come from the
/// `sim.ready` line, and its stdout is drained afterwards so a full pipe never stalls it.
final class SimulatorChild: @unchecked Sendable {
    let restURL: String
    let webSocketURL: String
    /// The new WebSocket API's base (`sim.ready`'s `ws_api`), if the simulator serves it.
    let webSocketAPIURL: String?
    let pid: Int32
    private let process: Process

    /// A simulator configuration in `SimulatorConfig`'s JSON form (written here, so the bench
    /// does not link the simulator's code and its memory figures stay the engine's): one
    /// symbol, one account `primary` with one trader key. `nonceMode` is `counter` or
    /// `time` (the new WebSocket API takes time-nonce keys only); `unlimitedRates` turns
    /// the simulator's rate limits off.
    static func configJSON(seed: Int, symbol: String, marketStepMs: Int64, key: String, secret: String, nonceMode: String,
                           balances: [String: String], unlimitedRates: Bool = false) throws -> Data {
        var config: [String: Any] = [
            "listen": "127.0.0.1:0", "seed": seed, "symbols": [symbol],
            "accounts": [["name": "primary", "balances": balances,
                          "keys": [["key": key, "secret": secret, "roles": ["Trader"], "nonceMode": nonceMode]]]],
            "syntheticMarket": true, "marketStepMs": marketStepMs,
        ]
        if unlimitedRates {
            config["rateLimits"] = ["enabled": false, "publicPerMinute": 1_000_000, "privatePerMinute": 1_000_000]
        }
        return try JSONSerialization.data(withJSONObject: config)
    }

    /// Writes `configJSON` to `<directory>/sim.json` and starts the simulator on it:
    /// `castor-sim --config` when `castor` is (or sits next to) a `castor-sim`, else
    /// `castor sim --config`.
    init(castor: String, configJSON: Data, directory: String) throws {
        let path = directory + "/sim.json"
        try configJSON.write(to: URL(fileURLWithPath: path))
        let (executable, arguments) = Self.simulatorCommand(castor: castor, config: path)
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw BenchFailure("no simulator executable at \(executable) (build it: swift build -c release --product castor-sim)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        self.process = process
        pid = process.processIdentifier
        let reader = output.fileHandleForReading
        var buffered = Data()
        var urls: (String, String, String?)?
        let deadline = Date().addingTimeInterval(60)
        while urls == nil, Date() < deadline {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            buffered.append(chunk)
            for line in buffered.split(separator: UInt8(ascii: "\n")) {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                      object["event"] as? String == "sim.ready", let rest = object["rest"] as? String,
                      let ws = object["ws"] as? String else { continue }
                urls = (rest, ws, object["ws_api"] as? String)
            }
        }
        guard let urls else {
            process.terminate()
            throw BenchFailure("the simulator did not report sim.ready within 60 s: \(String(decoding: buffered, as: UTF8.self))")
        }
        (restURL, webSocketURL, webSocketAPIURL) = urls
        Thread {
            while !reader.availableData.isEmpty {}
        }.start()
    }

    /// `castor` in this executable's directory: argv[0]'s when it is a path (so it also works
    /// under valgrind, whose /proc/self/exe is its own), else that of the kernel's link to
    /// this executable.
    static func castorNextToThisExecutable() -> String {
        let me = CommandLine.arguments[0]
        let path = me.contains("/") ? me : ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? me)
        return URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("castor").path
    }

    /// The executable and arguments that run the simulator for `castor` (a path to `castor`
    /// or to `castor-sim`): the `castor-sim` beside it directly, if there is one.
    static func simulatorCommand(castor: String, config: String) -> (String, [String]) {
        let url = URL(fileURLWithPath: castor)
        if url.lastPathComponent == "castor-sim" { return (castor, ["--config", config]) }
        let sibling = url.deletingLastPathComponent().appendingPathComponent("castor-sim").path
        if FileManager.default.isExecutableFile(atPath: sibling) { return (sibling, ["--config", config]) }
        return (castor, ["sim", "--config", config])
    }

    /// Stops the child (SIGTERM) and waits for it; safe to call twice.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}

/// Starts `engine` on `queue` and waits (up to `seconds`) for its start-up to finish.
func startEngine(_ engine: Engine, on queue: DispatchQueue, seconds: Int = 120) throws {
    let started = DispatchSemaphore(value: 0)
    let startError = Mutex<String?>(nil)
    queue.async {
        engine.start { result in
            if case .failure(let e) = result { startError.withLock { $0 = e.description } }
            started.signal()
        }
    }
    guard started.wait(timeout: .now() + .seconds(seconds)) == .success else {
        throw BenchFailure("engine did not start in \(seconds) s")
    }
    if let e = startError.withLock({ $0 }) { throw BenchFailure("engine did not start: \(e)") }
}
