import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A `castor` subprocess whose stdout and stderr go to one log file, so the test can read
/// what it said (readiness lines, errors) without a pipe that could fill and block it.
final class ChildProcess: @unchecked Sendable {
    let name: String
    let process = Process()
    let logPath: String
    /// Wall-clock Unix milliseconds just before the launch, and once the process was seen dead.
    private(set) var launchedMs: Int64 = 0
    private(set) var exitedMs: Int64?

    init(name: String, executable: String, arguments: [String], environment: [String: String], logPath: String) throws {
        self.name = name
        self.logPath = logPath
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
    }

    var pid: Int32 { process.processIdentifier }

    func launch() throws {
        launchedMs = wallMs()
        try process.run()
    }

    /// Everything the process has written so far.
    func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The last lines of the log, for failure messages.
    func tail(_ lines: Int = 30) -> String { log().split(separator: "\n").suffix(lines).joined(separator: "\n") }

    /// The first JSON log line carrying `"event":"<event>"` (either spacing), parsed.
    func firstEvent(_ event: String) -> [String: Any]? {
        for line in log().split(separator: "\n") where line.contains("\"\(event)\"") {
            if let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] { return obj }
        }
        return nil
    }

    func signal(_ sig: Int32) { _ = kill(pid, sig) }

    /// SIGKILL, then waits until the kernel has reaped it.
    func killNine(seconds: Double = 10) async throws {
        signal(SIGKILL)
        try await waitForExit(seconds: seconds)
    }

    /// Waits (polling) until the process has exited; returns its exit status.
    @discardableResult
    func waitForExit(seconds: Double) async throws -> Int32 {
        try await pollUntilExited(seconds: seconds)
        return process.terminationStatus
    }

    private func pollUntilExited(seconds: Double) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                throw ChildProcessError(description: "\(name) (pid \(pid)) still running after \(seconds) s\n\(tail())")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        if exitedMs == nil { exitedMs = wallMs() }
    }

    /// Best-effort cleanup for a failing test: SIGKILL if still running.
    func ensureDead() {
        if process.isRunning { signal(SIGKILL); process.waitUntilExit() }
    }
}

struct ChildProcessError: Error, CustomStringConvertible {
    let description: String
}

func wallMs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }
