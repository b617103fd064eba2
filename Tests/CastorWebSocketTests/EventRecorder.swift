import CastorTestSupport
import CastorWebSocket
import Foundation

/// A copy of a `WebSocketEvent` that may outlive the handler call.
enum RecordedEvent: Equatable {
    case open
    case text(String)
    case binary([UInt8])
    case pong
    case closed(Int, String)
    case failed(WebSocketError)

    init(_ event: WebSocketEvent) {
        switch event {
        case .open: self = .open
        case let .message(m): self = m.kind == .text ? .text(m.text) : .binary(m.bytes)
        case .pong: self = .pong
        case let .closed(code, reason): self = .closed(code, reason)
        case let .failed(error): self = .failed(error)
        }
    }

    var isTerminal: Bool {
        switch self {
        case .closed, .failed: return true
        default: return false
        }
    }
}

/// Collects a client's events and lets tests await them with a deadline.
final class EventRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [RecordedEvent] = []

    var handler: @Sendable (WebSocketEvent) -> Void {
        { [self] event in
            let copy = RecordedEvent(event)
            lock.lock()
            events.append(copy)
            lock.unlock()
        }
    }

    var all: [RecordedEvent] {
        lock.lock()
        defer { lock.unlock() }
        return events
    }

    /// The first recorded event matching `predicate`, polling up to `timeout` seconds
    /// (`CastorTestSupport.pollFor`: no cooperative-pool thread is held meanwhile).
    func wait(timeout: Double = 10, for predicate: (RecordedEvent) -> Bool) async -> RecordedEvent? {
        try? await pollFor("a matching WebSocket event", seconds: timeout, intervalMs: 2) { all.first(where: predicate) }
    }

    func waitForTerminal(timeout: Double = 10) async -> RecordedEvent? { await wait(timeout: timeout) { $0.isTerminal } }
}
