import Dispatch
import Foundation

/// A Python script run as an independent loopback peer for one test: it must print the port
/// it listens on as its first stdout line and exit when its stdin closes.
///
/// Independent on purpose: the code under test is checked against what a different stack
/// received, not against itself. A missing python3 or a silent script fails the test with a
/// message saying so, never a pass.
public final class PythonPeer {
    /// The port the script printed.
    public let port: Int
    private let process: Process
    private let stdinPipe: Pipe

    public struct StartFailure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Starts `script` (a path) with `arguments`; `purpose` names who needs python3 in the error.
    /// Async so that waiting for the port line holds no cooperative-pool thread.
    public init(script: String, arguments: [String] = [], purpose: String, timeoutSeconds: Double = 20) async throws {
        guard let python = Self.findExecutable("python3") else {
            throw StartFailure(description: "python3 not found on PATH: \(purpose)")
        }
        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script] + arguments
        stdinPipe = Pipe()
        let stdoutPipe = Pipe()
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        try process.run()

        // Read the port line off-thread so a silent peer fails the test at a deadline.
        let line = Mutexed<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        let reader = stdoutPipe.fileHandleForReading
        DispatchQueue.global().async {
            var bytes: [UInt8] = []
            while !bytes.contains(10) {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                bytes += chunk
            }
            line.value = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            done.signal()
        }
        guard await done.wait(seconds: timeoutSeconds), let text = line.value, let port = Int(text) else {
            process.terminate()
            let name = URL(fileURLWithPath: script).lastPathComponent
            throw StartFailure(description: "\(name) did not print its port (got \(String(describing: line.value)))")
        }
        self.port = port
    }

    deinit {
        try? stdinPipe.fileHandleForWriting.close()  // the peer exits on stdin EOF
        process.terminate()
        // Reaped off the caller's thread: a deinit may run on the cooperative pool.
        let process = process
        Thread { process.waitUntilExit() }.start()
    }

    private static func findExecutable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// A value handed between threads under a lock.
public final class Mutexed<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    public init(_ value: T) { stored = value }
    public var value: T {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
