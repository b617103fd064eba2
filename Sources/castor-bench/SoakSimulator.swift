import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `castor sim` as a child process of `castor-bench soak`, so the simulator's ledger (it
/// keeps every order and trade) grows in its own process, not in the engine's figures.
///
/// Configured through a JSON file (see `SimulatorConfig`): one symbol, the synthetic
/// market on, its REST rate limiting off (the engine's own token bucket is what paces the
/// soak, on the accelerated clock), one account with a counter-nonce key. The URLs come
/// from the `sim.ready` line; stdout is drained afterwards so a full pipe never stalls it.
final class SoakSimulator: @unchecked Sendable {
    let restURL: String
    let webSocketURL: String
    let pid: Int32
    private let process: Process

    init(castor: String, directory: String, key: String, secret: String, symbol: String, marketStepMs: Int) throws {
        let config: [String: Any] = [
            "listen": "127.0.0.1:0", "seed": 11, "symbols": [symbol],
            "accounts": [["name": "primary",
                          "balances": ["USD": "1000000000", "BTC": "100000", "ETH": "1000000"],
                          "keys": [["key": key, "secret": secret, "roles": ["Trader"], "nonceMode": "counter"]]]],
            "rateLimits": ["enabled": false, "publicPerMinute": 1_000_000, "privatePerMinute": 1_000_000],
            "syntheticMarket": true, "marketStepMs": marketStepMs,
        ]
        let path = directory + "/sim.json"
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))
        guard FileManager.default.isExecutableFile(atPath: castor) else {
            throw BenchFailure("no castor executable at \(castor) (build it: swift build -c release --product castor; or pass --castor)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: castor)
        process.arguments = ["sim", "--config", path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        self.process = process
        pid = process.processIdentifier
        let reader = output.fileHandleForReading
        var buffered = Data()
        var urls: (String, String)?
        let deadline = Date().addingTimeInterval(60)
        while urls == nil, Date() < deadline {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            buffered.append(chunk)
            for line in buffered.split(separator: UInt8(ascii: "\n")) {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                      object["event"] as? String == "sim.ready", let rest = object["rest"] as? String,
                      let ws = object["ws"] as? String else { continue }
                urls = (rest, ws)
            }
        }
        guard let urls else {
            process.terminate()
            throw BenchFailure("castor sim did not report sim.ready within 60 s: \(String(decoding: buffered, as: UTF8.self))")
        }
        (restURL, webSocketURL) = urls
        Thread {
            while !reader.availableData.isEmpty {}
        }.start()
    }

    /// Stops the child (SIGTERM) and waits for it; safe to call twice.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}
