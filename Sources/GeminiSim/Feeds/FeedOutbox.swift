import FlyingFox
import Foundation
import Synchronization

/// The outbound side of one WebSocket connection: an ordered, bounded queue of frames that
/// FlyingFox pulls from as fast as the socket accepts them.
///
/// Producers (engine listeners running on `SimulatorCore`, heartbeat timers) enqueue
/// synchronously, so messages keep the order in which the venue produced them. The
/// `socket_sequence` of v1 feeds is assigned here, under the same lock as the enqueue, so
/// events and heartbeats share one gap-free counter (unless the skip fault removes a number).
///
/// Slow clients: the queue holds at most `limit` messages. A message that does not fit is
/// never dropped silently: the connection is closed instead (1008, "slow consumer") once
/// the frames already queued are written, so the client sees a disconnect, reconnects and
/// reconciles, exactly as after a network failure.
///
/// Thread-safe: all state sits behind one `Mutex`; the pull continuation is resumed outside it.
final class FeedOutbox: Sendable {
    /// Why the server ended a connection.
    enum CloseReason: Sendable, Equatable {
        /// A drop fault (`dropWebSocketsNow`/`dropWebSocketsEveryMs`): queued frames are
        /// discarded, as when a real connection dies.
        case dropped
        /// The client fell more than `limit` messages behind.
        case slowConsumer
        /// The client closed, or the server is stopping.
        case finished
    }

    private struct State {
        var frames: [WSFrame] = []
        var head = 0
        var waiter: CheckedContinuation<WSFrame?, Never>?
        /// Set once: nothing is accepted afterwards; `nil` is returned when the queue empties.
        var closed = false
        /// Whether the close queued a close frame of ours (drop, slow consumer).
        var closeFrame = false
        var nextSequence: Int64 = 0
        var messagesSinceSkip = 0
        var queued: Int { frames.count - head }
    }

    private let state = Mutex(State())
    /// Most messages that may wait for the socket.
    let limit: Int

    init(limit: Int = 10_000) { self.limit = limit }

    /// Enqueues a text message. `render` receives the `socket_sequence` to use and runs
    /// under the lock, so the numbering matches the queue order. `skipEvery` > 0 leaves one
    /// number out after that many numbered messages (the fault).
    /// Returns false when the connection is closed (or just got closed for being slow).
    @discardableResult
    func enqueue(skipEvery: Int = 0, _ render: (Int64) -> String) -> Bool {
        push { s in
            if skipEvery > 0 {
                if s.messagesSinceSkip >= skipEvery {
                    s.nextSequence += 1
                    s.messagesSinceSkip = 0
                }
                s.messagesSinceSkip += 1
            }
            defer { s.nextSequence += 1 }
            return WSFrame(fin: true, opcode: .text, mask: nil, payload: Data(render(s.nextSequence).utf8))
        }
    }

    /// Enqueues a text message that takes no `socket_sequence` (the order-events ack, and
    /// everything on feeds without sequence numbers).
    @discardableResult
    func enqueueUnnumbered(_ text: String) -> Bool {
        push { _ in WSFrame(fin: true, opcode: .text, mask: nil, payload: Data(text.utf8)) }
    }

    /// Queues a control frame (a pong, the echo of a client's close) in order.
    func enqueueControl(_ frame: WSFrame) {
        push(bounded: false) { _ in frame }
    }

    @discardableResult
    private func push(bounded: Bool = true, _ make: (inout State) -> WSFrame) -> Bool {
        let (accepted, waiter, frame): (Bool, CheckedContinuation<WSFrame?, Never>?, WSFrame?) = state.withLock { s in
            guard !s.closed else { return (false, nil, nil) }
            if bounded, s.queued >= limit {
                s.closed = true
                s.closeFrame = true
                s.frames.append(.close(code: WSCloseCode(1008, reason: "slow consumer")))
                return (false, nil, nil)
            }
            let frame = make(&s)
            if let waiter = s.waiter {
                s.waiter = nil
                return (true, waiter, frame)
            }
            s.frames.append(frame)
            return (true, nil, nil)
        }
        waiter?.resume(returning: frame)
        return accepted
    }

    /// Ends the connection. `.dropped` discards what is queued and sends a 1011 close at
    /// once; `.finished` lets queued frames drain first. Idempotent.
    func close(_ reason: CloseReason) {
        let (waiter, frame): (CheckedContinuation<WSFrame?, Never>?, WSFrame?) = state.withLock { s in
            guard !s.closed else { return (nil, nil) }
            s.closed = true
            let frame: WSFrame?
            switch reason {
            case .dropped:
                s.frames.removeAll()
                s.head = 0
                frame = .close(code: WSCloseCode(1011, reason: "simulated connection drop"))
            case .slowConsumer:
                frame = .close(code: WSCloseCode(1008, reason: "slow consumer"))
            case .finished:
                frame = nil
            }
            s.closeFrame = frame != nil
            if let waiter = s.waiter {
                s.waiter = nil
                return (waiter, frame)
            }
            if let frame { s.frames.append(frame) }
            return (nil, nil)
        }
        waiter?.resume(returning: frame)
    }

    /// True once the connection was closed with a close frame of ours (drop, slow consumer).
    var sentCloseFrame: Bool { state.withLock { $0.closeFrame } }

    /// True once `close` ran or the queue overflowed.
    var isClosed: Bool { state.withLock { $0.closed } }

    /// How many messages wait for the socket.
    var queuedCount: Int { state.withLock { $0.queued } }

    /// The next frame to write, waiting if none is queued; nil once closed and drained
    /// (FlyingFox then closes the TCP connection).
    func next() async -> WSFrame? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<WSFrame?, Never>) in
                let immediate: WSFrame?? = state.withLock { s in
                    if s.head < s.frames.count {
                        let frame = s.frames[s.head]
                        s.head += 1
                        if s.head > 1024, s.head * 2 > s.frames.count {
                            s.frames.removeFirst(s.head)
                            s.head = 0
                        }
                        return .some(frame)
                    }
                    if s.closed || Task.isCancelled { return .some(nil) }
                    s.waiter = continuation
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter: CheckedContinuation<WSFrame?, Never>? = state.withLock { s in
                s.closed = true
                defer { s.waiter = nil }
                return s.waiter
            }
            waiter?.resume(returning: nil)
        }
    }
}
