import Foundation
import GeminiSim
#if canImport(Glibc)
import Glibc
#endif

/// `castor sim` started by `castor-bench latency` as a child process, so the simulator's
/// threads and memory are not counted as the engine's.
///
/// The child is the `castor` executable next to this one (same build directory), configured
/// through a JSON file; its port is read from the `sim.ready` line, and its stdout is drained
/// afterwards so a full pipe never stalls it.
final class BenchSimulatorProcess: @unchecked Sendable {
    let port: UInt16
    private let process: Process

    init(config: SimulatorConfig, directory: String) throws {
        let path = directory + "/sim.json"
        try JSONEncoder().encode(config).write(to: URL(fileURLWithPath: path))
        let castor = try Self.castorExecutable()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: castor)
        process.arguments = ["sim", "--config", path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        self.process = process
        let reader = output.fileHandleForReading
        var buffered = Data()
        var found: UInt16?
        let deadline = Date().addingTimeInterval(60)
        while found == nil, Date() < deadline {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            buffered.append(chunk)
            for line in buffered.split(separator: UInt8(ascii: "\n")) {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                      object["event"] as? String == "sim.ready", let rest = object["rest"] as? String,
                      let text = rest.split(separator: ":").last, let value = UInt16(text) else { continue }
                found = value
            }
        }
        guard let found else {
            process.terminate()
            throw BenchError("castor sim did not report sim.ready within 60 s: \(String(decoding: buffered, as: UTF8.self))")
        }
        port = found
        Thread {
            while !reader.availableData.isEmpty {}
        }.start()
    }

    /// `castor` in this executable's directory: argv[0]'s when it is a path (so it also works
    /// under valgrind, whose /proc/self/exe is its own), else that of the kernel's link to
    /// this executable.
    static func castorExecutable() throws -> String {
        let me = CommandLine.arguments[0]
        let path = me.contains("/") ? me : ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? me)
        let castor = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("castor").path
        guard FileManager.default.isExecutableFile(atPath: castor) else {
            throw BenchError("no castor executable next to castor-bench (looked for \(castor)); build it too (swift build -c release --product castor)")
        }
        return castor
    }

    /// Stops the child (SIGTERM) and waits for it; safe to call twice.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}
