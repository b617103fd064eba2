import CastorTestSupport
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
    private let peer: PythonPeer
    private let tempDirectory: URL?

    init(tls: Bool = false) async throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("loopback_server.py").path
        var arguments: [String] = []
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
        peer = try await PythonPeer(script: script, arguments: arguments,
                              purpose: "the HTTP tests need it for their loopback server")
        port = peer.port
    }

    deinit {
        if let tempDirectory { try? FileManager.default.removeItem(at: tempDirectory) }
    }

    func url(_ path: String, scheme: String = "http", host: String = "127.0.0.1") -> String {
        "\(scheme)://\(host):\(port)\(path)"
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
