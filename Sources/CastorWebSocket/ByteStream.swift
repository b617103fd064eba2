import CastorSSL
import Glibc

/// Result of a non-blocking read from a `ByteStream`.
enum StreamRead: Equatable {
    case bytes(Int)
    /// Nothing now; wait for the socket to become writable (TLS) or readable.
    case wouldBlock(needsWritable: Bool)
    /// Orderly end of stream (TCP FIN, or TLS close_notify).
    case closed
}

/// Result of a non-blocking write to a `ByteStream`.
enum StreamWrite: Equatable {
    case wrote(Int)
    /// Nothing written; wait for the socket to become readable (TLS) or writable.
    case wouldBlock(needsReadable: Bool)
}

/// The byte pipe under the WebSocket: plain TCP for loopback ws://, TLS for wss://.
///
/// Implementations are confined to the connection's queue, like their owner.
protocol ByteStream: AnyObject {
    func read(into buffer: inout [UInt8]) throws(WebSocketError) -> StreamRead
    /// `more`: the caller writes the rest of the same frame right after; the stream may
    /// hold these bytes back so that both leave in one segment.
    func write(_ bytes: UnsafeRawBufferPointer, more: Bool) throws(WebSocketError) -> StreamWrite
    /// Best-effort goodbye at the stream level (TLS close_notify); never blocks.
    func shutdown()
}

/// Plain TCP on a non-blocking socket.
final class PlainStream: ByteStream {
    private let fd: Int32

    init(fd: Int32) { self.fd = fd }

    func read(into buffer: inout [UInt8]) throws(WebSocketError) -> StreamRead {
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { return .bytes(n) }
            if n == 0 { return .closed }
            let err = errno
            if err == EINTR { continue }
            if err == EAGAIN || err == EWOULDBLOCK { return .wouldBlock(needsWritable: false) }
            throw .systemCallFailed(call: "recv", errno: err, message: String(cString: strerror(err)))
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer, more: Bool) throws(WebSocketError) -> StreamWrite {
        // MSG_NOSIGNAL: a peer reset must surface as EPIPE, not kill the process. MSG_MORE
        // (a frame's header): the kernel holds the bytes until the payload's send without
        // it, so header and payload cross in one TCP segment, not two on TCP_NODELAY.
        let flags = Int32(MSG_NOSIGNAL) | (more ? Int32(MSG_MORE) : 0)
        while true {
            let n = send(fd, bytes.baseAddress, bytes.count, flags)
            if n >= 0 { return .wrote(n) }
            let err = errno
            if err == EINTR { continue }
            if err == EAGAIN || err == EWOULDBLOCK { return .wouldBlock(needsReadable: false) }
            throw .systemCallFailed(call: "send", errno: err, message: String(cString: strerror(err)))
        }
    }

    func shutdown() {}
}

/// TLS over a `TLSClientSession` whose handshake already completed.
final class TLSStream: ByteStream {
    private let session: TLSClientSession

    init(session: TLSClientSession) { self.session = session }

    func read(into buffer: inout [UInt8]) throws(WebSocketError) -> StreamRead {
        do {
            switch try session.read(into: &buffer) {
            case let .bytes(n): return .bytes(n)
            case .wantRead: return .wouldBlock(needsWritable: false)
            case .wantWrite: return .wouldBlock(needsWritable: true)
            case .closed: return .closed
            }
        } catch {
            // A peer that drops TCP without close_notify is just a closed stream to the
            // WebSocket layer, which then decides whether the close handshake happened.
            if case .unexpectedEOF = error { return .closed }
            throw .tls(error)
        }
    }

    /// `more` is not used: each `SSL_write` is its own TLS record and send. Holding the
    /// header back to encrypt it with its payload is not done yet.
    func write(_ bytes: UnsafeRawBufferPointer, more: Bool) throws(WebSocketError) -> StreamWrite {
        // The session API takes Swift arrays; outgoing frames are small, the copy is cheap.
        let chunk = ArraySlice(bytes.bindMemory(to: UInt8.self))
        do {
            switch try session.write(chunk) {
            case let .wrote(n): return .wrote(n)
            case .wantWrite: return .wouldBlock(needsReadable: false)
            case .wantRead: return .wouldBlock(needsReadable: true)
            }
        } catch {
            throw .tls(error)
        }
    }

    func shutdown() { session.shutdown() }
}
