import CastorTestSupport
import CastorWebSocket
import Foundation
import GeminiProtocol
import Glibc
import Synchronization
@testable import GeminiSim

/// A loopback WebSocket connection made with the project's own client, recording every
/// text message and how the connection ended.
///
/// Waits poll with a real-time deadline (the network is real); simulated time is moved only
/// by the tests, through the harness's `ManualSimClock`.
final class WSProbe: Sendable {
    enum End: Sendable, Equatable {
        case closed(code: Int, reason: String)
        case failed(WebSocketError)
    }

    private struct State {
        var opened = false
        var messages: [String] = []
        var pongs = 0
        var end: End?
    }

    /// Shared with the client's `@Sendable` event handler.
    private final class Recorder: Sendable {
        let state = Mutex(State())
        func record(_ event: WebSocketEvent) {
            state.withLock { s in
                switch event {
                case .open: s.opened = true
                case .message(let message): s.messages.append(message.text)
                case .pong: s.pongs += 1
                case .closed(let code, let reason): s.end = .closed(code: code, reason: reason)
                case .failed(let error): s.end = .failed(error)
                }
            }
        }
    }

    private let recorder = Recorder()
    private let client: WebSocketClient

    /// Connects to `url` with extra upgrade `headers`.
    init(_ url: String, headers: [(name: String, value: String)] = []) throws {
        signal(SIGPIPE, SIG_IGN)
        let recorder = self.recorder
        client = WebSocketClient(url: try WebSocketURL(url), headers: headers) { event in
            recorder.record(event)
        }
        let client = self.client
        client.queue.async { client.connect() }
    }

    /// Connects to `/v1/order/events` signed by `key` with the next nonce of `sim`.
    static func orderEvents(_ sim: SimHarness, key: String = SimHarness.traderKey, query: String = "heartbeat=true",
                            nonce: Nonce? = nil) throws -> WSProbe {
        let signer = GeminiSigner(credentials: try APICredentials(key: key, secret: SimHarness.secret(for: key)),
                                  nonceFormat: .milliseconds)
        let signed = signer.webSocketHandshakeHeaders(path: "/v1/order/events", nonce: nonce ?? sim.nextNonce(key))
        let target = query.isEmpty ? "/v1/order/events" : "/v1/order/events?\(query)"
        return try WSProbe("ws://127.0.0.1:\(sim.port)\(target)", headers: signed.headers)
    }

    /// Connects to `/v2/marketdata`.
    static func marketData(_ sim: SimHarness) throws -> WSProbe {
        try WSProbe("ws://127.0.0.1:\(sim.port)/v2/marketdata")
    }

    var messages: [String] { recorder.state.withLock { $0.messages } }
    /// Pongs received (answers to `ping()`).
    var pongs: Int { recorder.state.withLock { $0.pongs } }
    var end: End? { recorder.state.withLock { $0.end } }
    var isOpen: Bool { recorder.state.withLock { $0.opened && $0.end == nil } }

    func send(_ text: String) {
        let client = self.client
        client.queue.async { try? client.send(text: text) }
    }

    func sendBinary(_ bytes: [UInt8]) {
        let client = self.client
        client.queue.async { try? client.send(binary: bytes) }
    }

    /// Sends a protocol ping; its pong is counted in `pongs`.
    func ping() {
        let client = self.client
        client.queue.async { try? client.sendPing(Array("probe".utf8)) }
    }

    func close() {
        let client = self.client
        client.queue.async { client.close() }
    }

    /// Waits until the connection is open.
    func waitOpen(seconds: Double = 10) async throws {
        try await pollUntil("WebSocket open", seconds: seconds, intervalMs: 2) {
            let s = recorder.state.withLock { ($0.opened, $0.end) }
            if let end = s.1 { throw ProbeError.ended(end) }
            return s.0
        }
    }

    /// Waits until at least `count` messages arrived and returns them all.
    @discardableResult
    func waitMessages(_ count: Int, seconds: Double = 10) async throws -> [String] {
        try await pollUntil("\(count) messages", seconds: seconds, intervalMs: 2) { recorder.state.withLock { $0.messages.count >= count } }
        return messages
    }

    /// Waits until a message satisfying `match` arrived after the first `after` messages.
    @discardableResult
    func waitFor(after: Int = 0, seconds: Double = 10, _ what: String, _ match: @escaping (String) -> Bool) async throws -> String {
        var found: String?
        try await pollUntil(what, seconds: seconds, intervalMs: 2) {
            found = recorder.state.withLock { $0.messages.dropFirst(after).first(where: match) }
            return found != nil
        }
        return found!
    }

    /// Waits for the connection to end.
    func waitEnd(seconds: Double = 10) async throws -> End {
        try await pollUntil("connection end", seconds: seconds, intervalMs: 2) { end != nil }
        return end!
    }

    enum ProbeError: Error { case ended(End) }
}
