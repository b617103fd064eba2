import Foundation
import Testing

/// The independent Python peer (`Peer/ws_peer.py`, built on the `websockets` package),
/// run as a subprocess on an ephemeral loopback port.
///
/// A missing python3 or `websockets` makes `start` throw: the tests fail loudly rather
/// than pass without having talked to a real peer.
final class PeerProcess: @unchecked Sendable {
    struct StartFailure: Error, CustomStringConvertible { let description: String }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Peer/ws_peer.py").path

    private let process = Process()
    private let stdinPipe = Pipe()
    private let stdoutPipe = Pipe()
    private let lock = NSLock()
    private var lines: [String] = []
    private var partial: [UInt8] = []
    private let lineArrived = DispatchSemaphore(value: 0)
    private(set) var port = 0

    /// Starts the peer in `mode` and waits (with a deadline) for it to report its port.
    init(mode: String, extraArguments: [String] = []) throws {
        ignoreSIGPIPE
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script, mode] + extraArguments
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        stdoutPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            self?.consume(handle.availableData)
        }
        do {
            try process.run()
        } catch {
            throw StartFailure(description: "cannot start python3 (install python3 and `pip install websockets`): \(error)")
        }
        guard let first = waitForLine(prefix: "", timeout: 15) else {
            terminate()
            throw StartFailure(description: "python peer did not start within 15 s (is `websockets` installed?)")
        }
        guard first.hasPrefix("PORT "), let p = Int(first.dropFirst(5)) else {
            terminate()
            throw StartFailure(description: "python peer failed: \(first)")
        }
        port = p
    }

    deinit { terminate() }

    /// Stops the peer without `waitUntilExit`, which can hang in Foundation on Linux;
    /// Foundation reaps the child itself.
    func terminate() {
        if process.isRunning { process.terminate() }
        stdoutPipe.fileHandleForReading.readabilityHandler = nil
    }

    private func consume(_ data: Data) {
        if data.isEmpty { return }
        lock.lock()
        partial.append(contentsOf: data)
        var newLines = 0
        while let nl = partial.firstIndex(of: 0x0A) {
            lines.append(String(decoding: partial[..<nl], as: UTF8.self))
            partial.removeSubrange(...nl)
            newLines += 1
        }
        lock.unlock()
        for _ in 0..<newLines { lineArrived.signal() }
    }

    /// Removes and returns the first line starting with `prefix`, waiting up to `timeout`.
    func waitForLine(prefix: String, timeout: Double = 10) -> String? {
        let deadline = DispatchTime.now() + timeout
        while true {
            lock.lock()
            if let i = lines.firstIndex(where: { $0.hasPrefix(prefix) }) {
                let line = lines.remove(at: i)
                lock.unlock()
                return line
            }
            lock.unlock()
            if lineArrived.wait(timeout: deadline) == .timedOut { return nil }
        }
    }
}

/// SIGPIPE must be ignored process-wide: SSL_write cannot pass MSG_NOSIGNAL.
let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()
