import FlyingFox
import Foundation
import Synchronization

/// What a feed does with one accepted connection. Called in order: `open` once before any
/// frame is written, `received` for each complete text message, `closed` once at the end.
protocol FeedSession: Sendable {
    /// Queues the first messages (ack, snapshots) and starts listening to the venue.
    func open() async
    /// A complete text message from the client.
    func received(text: String) async
    /// The connection is gone: stop listening and release timers.
    func closed() async
    /// A pong from the client (the answer to a protocol ping of ours).
    func pong() async
    /// A complete binary message from the client (the feeds speak text only).
    func receivedBinary() async
}

extension FeedSession {
    func pong() async {}
    func receivedBinary() async {}
}

/// Bridges a `FeedSession` to FlyingFox's raw-frame WebSocket API.
///
/// FlyingFox's `MessageFrameWSHandler` would hide when the client goes away and buffers
/// without bound; here the outbound side is a `FeedOutbox` (bounded, ordered, closable by
/// faults) and the inbound frames are read by one task that answers pings, echoes a close
/// and reassembles fragmented text messages.
struct FeedSocket: WSHandler {
    let feeds: WebSocketFeeds
    /// Builds the session for a connection, given its outbox.
    let makeSession: @Sendable (FeedOutbox) -> any FeedSession

    func makeFrames(for client: AsyncThrowingStream<WSFrame, any Error>) async throws -> AsyncStream<WSFrame> {
        let outbox = FeedOutbox()
        let session = makeSession(outbox)
        let id = feeds.register(outbox)
        let feeds = self.feeds
        let ending = Ending()
        await session.open()
        let reader = Task {
            await Self.read(client, outbox: outbox, session: session)
            outbox.close(.finished)
            if ending.first() {
                feeds.unregister(id)
                await session.closed()
            }
        }
        // The session also ends when the outbox runs dry after a close (drop fault, slow
        // client): the peer may never send another byte, so the reader cannot be relied on.
        //
        // Returning nil makes FlyingFox close the socket at once. The reader must be gone
        // from FlyingSocks' socket pool before that: a cancelled read leaves the pool through
        // an unstructured task hop (`onCancel` → `Task { await pool.resumeContinuation }`),
        // and if the fd is closed first the kernel drops it from the epoll set while the pool
        // still lists it (`ePoll.existing[fd] = .read`, plus the waiting continuation). The
        // next accepted connection reuses that fd number; its `addEvents(.read)` then sees
        // "already registered" and skips EPOLL_CTL_ADD, so it never wakes: the upgrade or
        // subscribe goes unanswered and awaits hang with no blocked thread. Hence: cancel
        // the reader and wait for it to finish (its pool wait removed, EPOLL_CTL_DEL done on
        // the still-open fd) before the socket may be closed.
        //
        // After a close frame of ours (drop, slow consumer) the peer normally answers with
        // its own close (RFC 6455 §5.5.1), which ends the reader cleanly; it gets a short
        // grace for that, then the reader is cancelled. Cancelling this task (server stop)
        // cancels the reader at once.
        return AsyncStream(unfolding: {
            if let frame = await outbox.next() { return frame }
            let grace: Duration = outbox.sentCloseFrame ? .seconds(1) : .zero
            await withTaskCancellationHandler {
                let timer = Task {
                    if grace > .zero { try? await Task.sleep(for: grace) }
                    reader.cancel()
                }
                await reader.value
                timer.cancel()
            } onCancel: {
                reader.cancel()
            }
            if ending.first() {
                feeds.unregister(id)
                await session.closed()
            }
            return nil
        })
    }

    /// Lets exactly one of the two ends run the cleanup.
    final class Ending: Sendable {
        private let done = Mutex(false)
        func first() -> Bool {
            done.withLock { done in
                defer { done = true }
                return !done
            }
        }
    }

    private static func read(_ client: AsyncThrowingStream<WSFrame, any Error>, outbox: FeedOutbox,
                             session: any FeedSession) async {
        var partial: Data?
        var binary = false
        do {
            for try await frame in client {
                switch frame.opcode {
                case .ping:
                    outbox.enqueueControl(WSFrame(fin: true, opcode: .pong, mask: nil, payload: frame.payload))
                case .pong:
                    await session.pong()
                case .close:
                    // Echo the client's close (RFC 6455 §5.5.1), then stop.
                    outbox.enqueueControl(WSFrame(fin: true, opcode: .close, mask: nil, payload: frame.payload.prefix(2)))
                    return
                case .text:
                    if frame.fin {
                        await session.received(text: String(decoding: frame.payload, as: UTF8.self))
                    } else {
                        partial = frame.payload
                    }
                case .binary:
                    binary = !frame.fin
                    if frame.fin { await session.receivedBinary() }
                case .continuation:
                    if binary {
                        if frame.fin {
                            binary = false
                            await session.receivedBinary()
                        }
                        continue
                    }
                    guard var text = partial else { continue }
                    text.append(frame.payload)
                    if frame.fin {
                        partial = nil
                        await session.received(text: String(decoding: text, as: UTF8.self))
                    } else {
                        partial = text
                    }
                default:
                    continue
                }
                if outbox.isClosed { return }
            }
        } catch {
            return
        }
    }
}
