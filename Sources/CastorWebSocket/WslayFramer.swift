import CWslay
import CastorSSL
import Glibc

/// What the framer needs from its connection: raw bytes in and out, and delivery of
/// complete messages. All calls happen synchronously inside `receive()`/`flush()`.
protocol WslayFramerIO: AnyObject {
    /// Fill `buffer`; return bytes read, 0 for "would block", nil for end of stream/error.
    func framerRecv(into buffer: UnsafeMutableRawBufferPointer) -> Int?
    /// Send a prefix of `bytes`; return bytes sent, 0 for "would block", nil for error.
    /// `more`: libwslay has the rest of this frame to send right after (the header before
    /// its payload), so the stream may hold these bytes back to send both together.
    func framerSend(_ bytes: UnsafeRawBufferPointer, more: Bool) -> Int?
    /// A complete message (text, binary, ping, pong or close) with its borrowed payload.
    func framerMessage(opcode: UInt8, payload: UnsafeRawBufferPointer, closeCode: UInt16)
}

/// RFC 6455 framing by libwslay's event API, for the client side.
///
/// Data messages are reassembled here (libwslay's no-buffering mode, one reused buffer);
/// libwslay buffers control frames, answers pings, checks UTF-8 of text and close
/// reasons (verified in its source: close 1007), rejects masked server frames, reserved
/// bits and unknown opcodes (close 1002) and oversize messages (close 1009). When it fails
/// a connection it queues the close frame and disables reading but returns success, so
/// the connection detects that state through `failedByFramer`.
///
/// Invariant: confined to the connection's queue; `io` outlives the framer (the
/// connection owns it), so the unretained `user_data` pointer is always valid.
final class WslayFramer {
    static let opText: UInt8 = 0x1, opBinary: UInt8 = 0x2, opClose: UInt8 = 0x8
    static let opPing: UInt8 = 0x9, opPong: UInt8 = 0xA

    private var context: OpaquePointer?
    private unowned let io: WslayFramerIO
    fileprivate let masks = MaskPool()

    init(io: WslayFramerIO, maxMessageSize: Int) throws(WebSocketError) {
        self.io = io
        self.maxMessageSize = maxMessageSize
        var callbacks = wslay_event_callbacks(
            recv_callback: { ctx, buf, len, _, user in
                let me = Unmanaged<WslayFramer>.fromOpaque(user!).takeUnretainedValue()
                guard let n = me.io.framerRecv(into: UnsafeMutableRawBufferPointer(start: buf, count: len)) else {
                    wslay_event_set_error(ctx, Int32(WSLAY_ERR_CALLBACK_FAILURE.rawValue))
                    return -1
                }
                if n == 0 {
                    wslay_event_set_error(ctx, Int32(WSLAY_ERR_WOULDBLOCK.rawValue))
                    return -1
                }
                return n
            },
            send_callback: { ctx, data, len, flags, user in
                let me = Unmanaged<WslayFramer>.fromOpaque(user!).takeUnretainedValue()
                let more = flags & Int32(WSLAY_MSG_MORE.rawValue) != 0
                guard let n = me.io.framerSend(UnsafeRawBufferPointer(start: data, count: len), more: more) else {
                    wslay_event_set_error(ctx, Int32(WSLAY_ERR_CALLBACK_FAILURE.rawValue))
                    return -1
                }
                if n == 0 {
                    wslay_event_set_error(ctx, Int32(WSLAY_ERR_WOULDBLOCK.rawValue))
                    return -1
                }
                return n
            },
            genmask_callback: { ctx, buf, len, user in
                let me = Unmanaged<WslayFramer>.fromOpaque(user!).takeUnretainedValue()
                guard me.masks.take(len, into: UnsafeMutableRawPointer(buf!)) else {
                    wslay_event_set_error(ctx, Int32(WSLAY_ERR_CALLBACK_FAILURE.rawValue))
                    return -1
                }
                return 0
            },
            on_frame_recv_start_callback: { _, arg, user in
                let me = Unmanaged<WslayFramer>.fromOpaque(user!).takeUnretainedValue()
                guard let arg = arg?.pointee else { return }
                me.frameStarted(opcode: arg.opcode)
            },
            on_frame_recv_chunk_callback: { ctx, arg, user in
                let me = Unmanaged<WslayFramer>.fromOpaque(user!).takeUnretainedValue()
                guard let arg = arg?.pointee, arg.data_length > 0 else { return }
                me.chunk(UnsafeRawBufferPointer(start: arg.data, count: arg.data_length), ctx: ctx)
            },
            on_frame_recv_end_callback: nil,
            on_msg_recv_callback: { _, arg, user in
                let me = Unmanaged<WslayFramer>.fromOpaque(user!).takeUnretainedValue()
                guard let arg = arg?.pointee else { return }
                me.messageEnded(arg)
            })
        var ctx: OpaquePointer?
        let rc = wslay_event_context_client_init(&ctx, &callbacks, Unmanaged.passUnretained(self).toOpaque())
        guard rc == 0, let ctx else {
            throw .systemCallFailed(call: "wslay_event_context_client_init", errno: rc, message: "out of memory")
        }
        context = ctx
        wslay_event_config_set_max_recv_msg_length(ctx, UInt64(maxMessageSize))
        // Data messages are assembled here, in one buffer reused for every message:
        // libwslay's own buffering mallocs, copies and frees each message (three
        // allocations a market-data frame). It still buffers control frames, answers pings
        // and checks text for UTF-8 either way.
        wslay_event_config_set_no_buffering(ctx, 1)
    }

    // MARK: data messages (no-buffering mode)

    private let maxMessageSize: Int
    /// The largest buffer kept from one message to the next (market-data frames are far
    /// smaller; a larger message allocates its own buffer once).
    private static let keptCapacity = 64 * 1024
    /// The data message being received, its fragments appended.
    private var assembling: [UInt8] = []
    /// The frame being received is a control frame (libwslay buffers those itself).
    private var inControlFrame = false
    /// The message outgrew `maxMessageSize`: it is never delivered; the close is queued.
    private var oversized = false

    private func frameStarted(opcode: UInt8) {
        inControlFrame = opcode & 0x8 != 0
        // A text or binary frame starts a message; a continuation adds to it.
        if opcode == Self.opText || opcode == Self.opBinary {
            assembling.removeAll(keepingCapacity: true)
            oversized = false
        }
    }

    private func chunk(_ bytes: UnsafeRawBufferPointer, ctx: OpaquePointer?) {
        guard !inControlFrame, !oversized else { return }
        // libwslay checks each frame's length against the limit; without its buffering,
        // the whole message's is checked here (fragments add up).
        guard assembling.count + bytes.count <= maxMessageSize else {
            oversized = true
            assembling.removeAll(keepingCapacity: false)
            _ = wslay_event_queue_close(ctx, 1009, nil, 0)
            wslay_event_shutdown_read(ctx)
            return
        }
        assembling.append(contentsOf: bytes.bindMemory(to: UInt8.self))
    }

    private func messageEnded(_ arg: wslay_event_on_msg_recv_arg) {
        if arg.opcode & 0x8 != 0 {
            let payload = UnsafeRawBufferPointer(start: arg.msg, count: arg.msg == nil ? 0 : arg.msg_length)
            return io.framerMessage(opcode: arg.opcode, payload: payload, closeCode: arg.status_code)
        }
        guard !oversized else { return }
        assembling.withUnsafeBytes { io.framerMessage(opcode: arg.opcode, payload: $0, closeCode: 0) }
        // A snapshot's megabytes are not kept for the small frames that follow it.
        if assembling.capacity > Self.keptCapacity { assembling = [] }
    }

    deinit { if let context { wslay_event_context_free(context) } }

    /// Reads and dispatches frames until the stream would block; false on a fatal error
    /// (I/O failure, or a frame the frame parser rejected outright).
    func receive() -> Bool { wslay_event_recv(context) == 0 }

    /// Sends queued frames until done or the stream would block; false on I/O failure.
    func flush() -> Bool { wslay_event_send(context) == 0 }

    /// Queues a data or control frame; false if a close was already queued.
    func queue(opcode: UInt8, payload: [UInt8]) -> Bool {
        payload.withUnsafeBufferPointer { buf in
            var msg = wslay_event_msg(opcode: opcode, msg: buf.baseAddress, msg_length: buf.count)
            return wslay_event_queue_msg(context, &msg) == 0
        }
    }

    /// Queues a close frame with `code` and `reason` (truncated to 123 bytes by the caller).
    func queueClose(code: UInt16, reason: [UInt8]) -> Bool {
        reason.withUnsafeBufferPointer { wslay_event_queue_close(context, code, $0.baseAddress, $0.count) == 0 }
    }

    var wantsRead: Bool { wslay_event_want_read(context) != 0 }
    var wantsWrite: Bool { wslay_event_want_write(context) != 0 }
    var closeReceived: Bool { wslay_event_get_close_received(context) != 0 }
    var closeSent: Bool { wslay_event_get_close_sent(context) != 0 }
    /// The code of the close frame we sent (valid once `closeSent`).
    var statusCodeSent: Int { Int(wslay_event_get_status_code_sent(context)) }
}

/// Masking keys for this connection's frames, drawn from OpenSSL's DRBG a block at a time.
///
/// RFC 6455 §10.3 wants each key unpredictable to the network: every key is fresh DRBG
/// output, used once. Drawing 64 keys per `RAND_bytes` call keeps the DRBG (about 8,000
/// instructions a call) off the per-frame path, where an order frame is written.
/// Confined to the connection's queue, like its framer.
final class MaskPool {
    private var pool = [UInt8](repeating: 0, count: 256)
    private var used = 256

    /// Writes `count` fresh random bytes to `out`; false if the DRBG failed (the
    /// connection must then fail: no predictable mask is ever sent).
    func take(_ count: Int, into out: UnsafeMutableRawPointer) -> Bool {
        guard count <= pool.count else {
            guard let bytes = try? SecureRandom.bytes(count: count) else { return false }
            bytes.withUnsafeBytes { out.copyMemory(from: $0.baseAddress!, byteCount: count) }
            return true
        }
        if used + count > pool.count {
            do { try SecureRandom.fill(&pool) } catch { return false }
            used = 0
        }
        pool.withUnsafeMutableBytes { bytes in
            out.copyMemory(from: bytes.baseAddress! + used, byteCount: count)
            // Spent keys do not linger in memory.
            memset(bytes.baseAddress! + used, 0, count)
        }
        used += count
        return true
    }
}
