import Dispatch

/// The open connection: feeding libwslay, flushing its output, and deciding when the
/// connection has ended and how.
extension WebSocketClient: WslayFramerIO {
    private var isActive: Bool {
        switch phase {
        case .open, .closing, .failing: return true
        default: return false
        }
    }

    /// Lets libwslay read until the stream would block. For TLS this also drains bytes
    /// OpenSSL buffered, which the read source would never report.
    func pumpReads() {
        guard isActive, let framer else { return }
        if framer.wantsRead {
            inFramer = true
            let ok = framer.receive()
            inFramer = false
            if case .finished = phase { self.framer = nil; return }
            if !ok && streamError == nil && !streamEnded, case .open = phase {
                // The frame parser rejected a frame outright (e.g. an oversized control frame).
                phase = .failing(.protocolViolation(closeCode: 1002))
                armTimer(after: options.closeTimeout)
            }
        }
        pumpWrites()
    }

    /// Sends what libwslay queued (pongs, close replies, our messages), then re-evaluates.
    func pumpWrites() {
        guard isActive, let framer else { return }
        if inFramer { return }  // the framer is mid-receive; pumpReads flushes afterwards
        if framer.wantsWrite {
            inFramer = true
            let ok = framer.flush()
            inFramer = false
            if case .finished = phase { self.framer = nil; return }
            if !ok && streamError == nil { streamError = .connectionLost(reason: "send failed") }
        }
        // A header the stream held for its payload goes out even if the payload never came.
        if !framer.wantsWrite, streamError == nil, let stream, stream.holdsBytes {
            do { _ = try stream.flushHeld() } catch { streamError = error }
        }
        evaluate()
    }

    /// Decides, after each framer call, whether the connection ended and updates interest.
    private func evaluate() {
        guard isActive, let framer else { return }
        let streamDone = streamError != nil || streamEnded
        if framer.closeReceived && (framer.closeSent || streamDone) {
            return finish(.closed(code: closeCode, reason: closeReason))
        }
        if case let .failing(error) = phase {
            if !framer.wantsWrite || streamDone { return finish(.failed(error ?? framerFailure())) }
        } else if let streamError {
            return finish(.failed(streamError))
        } else if streamEnded {
            return finish(.failed(.connectionLost(reason: "server closed TCP without a WebSocket close frame")))
        } else if !framer.wantsRead && !framer.closeReceived {
            // libwslay failed the connection (bad frame, bad UTF-8, too big): it queued
            // the close frame; send it, then report why.
            phase = .failing(nil)
            armTimer(after: options.closeTimeout)
            return pumpWrites()
        }
        channel?.wantWrite(framer.wantsWrite || readNeedsWritable || stream?.holdsBytes == true)
        channel?.wantRead(framer.wantsRead || writeNeedsReadable)
    }

    /// Maps the close code libwslay sent when it failed the connection to an error.
    func framerFailure() -> WebSocketError {
        guard let framer, framer.closeSent else { return .protocolViolation(closeCode: 1002) }
        switch framer.statusCodeSent {
        case 1009: return .messageTooBig(limit: options.maxMessageSize)
        case 1007: return .invalidUTF8
        case let code: return .protocolViolation(closeCode: code == 1005 ? 1002 : code)
        }
    }

    func framerRecv(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        guard isActive, let stream else { return nil }
        if inboundStart == inboundEnd {
            if streamEnded || streamError != nil { return nil }
            if inbound.count < Self.readChunk { inbound = [UInt8](repeating: 0, count: Self.readChunk) }
            do {
                switch try stream.read(into: &inbound) {
                case let .bytes(n):
                    inboundStart = 0
                    inboundEnd = n
                case let .wouldBlock(needsWritable):
                    readNeedsWritable = needsWritable
                    return 0
                case .closed:
                    streamEnded = true
                    return nil
                }
            } catch {
                streamError = error
                return nil
            }
        }
        let n = min(buffer.count, inboundEnd - inboundStart)
        inbound.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + inboundStart, byteCount: n)
        }
        inboundStart += n
        return n
    }

    func framerSend(_ bytes: UnsafeRawBufferPointer, more: Bool) -> Int? {
        guard isActive, let stream else { return nil }
        do {
            switch try stream.write(bytes, more: more) {
            case let .wrote(n): return n
            case let .wouldBlock(needsReadable):
                writeNeedsReadable = needsReadable
                return 0
            }
        } catch {
            streamError = error
            return nil
        }
    }

    func framerMessage(opcode: UInt8, payload: UnsafeRawBufferPointer, closeCode code: UInt16) {
        switch opcode {
        case WslayFramer.opText, WslayFramer.opBinary:
            switch phase {
            case .open, .closing: break
            default: return
            }
            let kind: WebSocketMessage.Kind = opcode == WslayFramer.opText ? .text : .binary
            handler(.message(WebSocketMessage(kind: kind, payload: payload)))
        case WslayFramer.opPong:
            if case .open = phase { handler(.pong) }
        case WslayFramer.opClose:
            closeCode = code == 0 ? 1005 : Int(code)
            closeReason = payload.count > 2 ? String(decoding: payload[2...], as: UTF8.self) : ""
        default:
            return  // pings are answered by libwslay itself
        }
    }
}

