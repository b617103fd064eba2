import CastorTestSupport
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
    private(set) var port = 0

    /// Starts the peer in `mode` and waits (with a deadline) for it to report its port.
    init(mode: String, extraArguments: [String] = []) async throws {
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
        guard let first = await waitForLine(prefix: "", timeout: 15) else {
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
        while let nl = partial.firstIndex(of: 0x0A) {
            lines.append(String(decoding: partial[..<nl], as: UTF8.self))
            partial.removeSubrange(...nl)
        }
        lock.unlock()
    }

    /// Removes and returns the first line starting with `prefix`, polling up to `timeout`
    /// seconds (`CastorTestSupport.pollFor`: no cooperative-pool thread is held meanwhile).
    func waitForLine(prefix: String, timeout: Double = 10) async -> String? {
        try? await pollFor("a peer line starting with \"\(prefix)\"", seconds: timeout, intervalMs: 2) { takeLine(prefix: prefix) }
    }

    private func takeLine(prefix: String) -> String? {
        lock.lock()
        defer { lock.unlock() }
        guard let i = lines.firstIndex(where: { $0.hasPrefix(prefix) }) else { return nil }
        return lines.remove(at: i)
    }
}

/// SIGPIPE must be ignored process-wide: SSL_write cannot pass MSG_NOSIGNAL.
let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()
