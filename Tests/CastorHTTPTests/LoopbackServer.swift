import Foundation
import Testing

/// The Python peer in loopback_server.py, run as a subprocess for one test.
///
/// An independent HTTP implementation on purpose: the client is checked against what a
/// different stack actually received, not against itself.
final class LoopbackServer {
    let port: Int
    /// Set for `--tls`: the throwaway CA the server's certificate chains to.
    let caFile: String?
    /// Set for `--tls`: a hashed CA directory holding the same CA.
    let caPath: String?
    private let process: Process
    private let stdinPipe: Pipe
    private let tempDirectory: URL?

    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    init(tls: Bool = false) throws {
        guard let python = Self.findExecutable("python3") else {
            throw StartFailure(description: "python3 not found on PATH: the HTTP tests need it for their loopback server")
        }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("loopback_server.py").path
        var arguments = [script]
        if tls {
            let dir = FileManager.default.temporaryDirectory
                .appendingPathComponent("castor-http-tls-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            tempDirectory = dir
            caFile = dir.appendingPathComponent("ca.pem").path
            caPath = dir.appendingPathComponent("capath").path
            arguments += ["--tls", dir.path]
        } else {
            tempDirectory = nil
            caFile = nil
            caPath = nil
        }
        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        stdinPipe = Pipe()
        let stdoutPipe = Pipe()
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        try process.run()

        // Read the port line off-thread so a silent server fails the test at a deadline.
        let line = LockedBox<String?>(nil)
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
        guard done.wait(timeout: .now() + 20) == .success, let text = line.value, let port = Int(text) else {
            process.terminate()
            throw StartFailure(description: "loopback_server.py did not print its port (got \(String(describing: line.value)))")
        }
        self.port = port
    }

    deinit {
        try? stdinPipe.fileHandleForWriting.close()  // the server exits on stdin EOF
        process.terminate()
        process.waitUntilExit()
        if let tempDirectory { try? FileManager.default.removeItem(at: tempDirectory) }
    }

    func url(_ path: String, scheme: String = "http", host: String = "127.0.0.1") -> String {
        "\(scheme)://\(host):\(port)\(path)"
    }

    private static func findExecutable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// A value handed between threads under a lock.
final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
