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
    /// Bytes accepted with `more` and not yet written (they wait for the rest of their frame).
    var holdsBytes: Bool { get }
    /// Writes what `more` held back on its own: the safety net for a frame whose rest never
    /// came. Returns whether nothing is held any more.
    func flushHeld() throws(WebSocketError) -> Bool
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

    var holdsBytes: Bool { false }
    func flushHeld() throws(WebSocketError) -> Bool { true }
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

    /// A frame's header (`more`), held back to be encrypted with the start of its payload:
    /// one TLS record and one `sendto` per small frame instead of two of each. libwslay
    /// counts the held bytes as sent.
    private var held: [UInt8] = []
    /// The most a header may be (RFC 6455 §5.2: 2 + 8 + 4 bytes); more is written at once.
    private static let holdLimit = 14
    /// One TLS record's plaintext.
    private static let recordLimit = 16_384

    var holdsBytes: Bool { !held.isEmpty }

    func write(_ bytes: UnsafeRawBufferPointer, more: Bool) throws(WebSocketError) -> StreamWrite {
        if more, held.count + bytes.count <= Self.holdLimit {
            held.append(contentsOf: bytes.bindMemory(to: UInt8.self))
            return .wrote(bytes.count)
        }
        guard !held.isEmpty else { return try writeNow(ArraySlice(bytes.bindMemory(to: UInt8.self))) }
        // The held header and as much of `bytes` as fits one record, in one SSL_write. A
        // retry after `wouldBlock` comes with the same `bytes` (libwslay resends what it was
        // told was not sent), so the record OpenSSL retries is the same one.
        var combined = held
        combined.append(contentsOf: bytes.bindMemory(to: UInt8.self).prefix(Self.recordLimit - held.count))
        let heldCount = held.count
        switch try writeNow(combined[...]) {
        case let .wrote(n) where n > heldCount:
            // The header and the first `n - heldCount` bytes of `bytes` are in the record.
            held.removeAll(keepingCapacity: true)
            return .wrote(n - heldCount)
        case let .wrote(n):
            // Only (part of) the header left: none of `bytes` was; libwslay retries them
            // once the socket is writable again.
            held.removeFirst(n)
            return .wouldBlock(needsReadable: false)
        case let other:
            return other
        }
    }

    func flushHeld() throws(WebSocketError) -> Bool {
        guard !held.isEmpty else { return true }
        if case let .wrote(n) = try writeNow(held[...]) { held.removeFirst(n) }
        return held.isEmpty
    }

    private func writeNow(_ chunk: ArraySlice<UInt8>) throws(WebSocketError) -> StreamWrite {
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
