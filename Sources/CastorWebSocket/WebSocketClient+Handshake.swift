import CastorSSL
import Dispatch
import Glibc

/// Connection set-up: TCP connect (trying each resolved address), TLS, HTTP upgrade.
extension WebSocketClient {
    func resolved(_ result: Result<[SocketAddress], WebSocketError>) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard case .resolving = phase else { return }
        switch result {
        case let .success(list):
            addresses = list
            addressIndex = 0
            tryNextAddress()
        case let .failure(error):
            finish(.failed(error))
        }
    }

    /// Starts a non-blocking connect to the next address, falling through on failure
    /// (e.g. "localhost" resolving to ::1 first while the server listens on 127.0.0.1).
    func tryNextAddress() {
        phase = .connecting
        while addressIndex < addresses.count {
            let address = addresses[addressIndex]
            do {
                let fd = try TCPSocket.makeSocket(family: address.family)
                let progress: TCPSocket.ConnectProgress
                do {
                    progress = try TCPSocket.startConnect(fd: fd, to: address)
                } catch {
                    Glibc.close(fd)
                    throw error
                }
                // Strong captures keep the client alive while its socket is open; the
                // channel drops them in close(), breaking the cycle at the terminal event.
                channel = SocketChannel(fd: fd, queue: queue,
                                        onReadable: { [self] in readable() },
                                        onWritable: { [self] in writable() })
                if case .connected = progress { tcpConnected() } else { channel?.wantWrite(true) }
                return
            } catch {
                lastConnectError = "\(address): \(error)"
                addressIndex += 1
            }
        }
        finish(.failed(.connectFailed(host: url.host, port: url.port, reason: lastConnectError)))
    }

    func readable() {
        switch phase {
        case .tlsHandshake: driveTLS()
        case .upgrading:
            writeRequest()
            readResponse()
        case .open, .closing, .failing:
            if writeNeedsReadable { writeNeedsReadable = false; pumpWrites() }
            pumpReads()
        case .idle, .resolving, .connecting, .finished: return
        }
    }

    func writable() {
        switch phase {
        case .connecting: connectProgressed()
        case .tlsHandshake: driveTLS()
        case .upgrading:
            writeRequest()
            if readNeedsWritable { readNeedsWritable = false; readResponse() }
        case .open, .closing, .failing:
            if readNeedsWritable { readNeedsWritable = false; pumpReads() }
            pumpWrites()
        case .idle, .resolving, .finished: return
        }
    }

    private func connectProgressed() {
        guard let channel else { return }
        do {
            let err = try TCPSocket.pendingError(fd: channel.fd)
            if err == 0 { return tcpConnected() }
            lastConnectError = "\(addresses[addressIndex]): \(String(cString: strerror(err)))"
        } catch {
            lastConnectError = "\(error)"
        }
        channel.close()
        self.channel = nil
        addressIndex += 1
        tryNextAddress()
    }

    private func tcpConnected() {
        guard let channel else { return }
        armTimer(after: options.handshakeTimeout)
        channel.wantWrite(false)
        if url.isSecure {
            do throws(TLSError) {
                let context: TLSClientContext
                if let shared = options.tlsContext { context = shared } else { context = try TLSClientContext() }
                tls = try TLSClientSession(context: context, fileDescriptor: channel.fd, serverName: url.host, queue: queue)
            } catch {
                return finish(.failed(.tls(error)))
            }
            phase = .tlsHandshake
            driveTLS()
        } else {
            stream = PlainStream(fd: channel.fd)
            startUpgrade()
        }
    }

    private func driveTLS() {
        guard let tls, let channel else { return }
        do {
            switch try tls.handshake() {
            case .done:
                stream = TLSStream(session: tls)
                startUpgrade()
            case .wantRead:
                channel.wantWrite(false)
                channel.wantRead(true)
            case .wantWrite:
                channel.wantRead(false)
                channel.wantWrite(true)
            }
        } catch {
            finish(.failed(.tls(error)))
        }
    }

    private func startUpgrade() {
        guard let request else { return }
        phase = .upgrading
        outgoing = request.bytes
        outgoingOffset = 0
        handshake = HandshakeStateMachine(expectedAccept: request.expectedAccept,
                                          maxHeaderSize: options.maxHandshakeHeaderSize)
        channel?.wantRead(true)
        writeRequest()
        // TLS may already hold decrypted response bytes the read source will not signal.
        if case .upgrading = phase { readResponse() }
    }

    private func writeRequest() {
        guard let stream, outgoingOffset < outgoing.count else { return }
        while outgoingOffset < outgoing.count {
            do throws(WebSocketError) {
                let offset = outgoingOffset
                let result = try outgoing.withUnsafeBytes { raw in
                    Result { () throws(WebSocketError) in try stream.write(UnsafeRawBufferPointer(rebasing: raw[offset...]), more: false) }
                }.get()
                switch result {
                case let .wrote(n): outgoingOffset += n
                case .wouldBlock:
                    channel?.wantWrite(true)
                    return
                }
            } catch {
                return finish(.failed(error))
            }
        }
        channel?.wantWrite(false)
    }

    private func readResponse() {
        guard let stream else { return }
        if inbound.count < Self.readChunk { inbound = [UInt8](repeating: 0, count: Self.readChunk) }
        while case .upgrading = phase {
            let action: HandshakeStateMachine.Action
            do {
                switch try stream.read(into: &inbound) {
                case let .bytes(n): action = handshake!.receive(inbound[0..<n])
                case let .wouldBlock(needsWritable):
                    if needsWritable { readNeedsWritable = true; channel?.wantWrite(true) }
                    return
                case .closed: action = handshake!.peerClosed()
                }
            } catch {
                return finish(.failed(error))
            }
            switch action {
            case .needMoreBytes: continue
            case let .failed(error): return finish(.failed(error))
            case let .upgraded(leftover): return becomeOpen(leftover: leftover)
            }
        }
    }

    private func becomeOpen(leftover: [UInt8]) {
        do {
            framer = try WslayFramer(io: self, maxMessageSize: options.maxMessageSize)
        } catch {
            return finish(.failed(error))
        }
        handshake = nil
        outgoing = []
        // The first WebSocket frames may have arrived with the 101 response: wslay must
        // see them before anything read from the socket later.
        if leftover.count > inbound.count { inbound = leftover } else { inbound.replaceSubrange(0..<leftover.count, with: leftover) }
        inboundStart = 0
        inboundEnd = leftover.count
        phase = .open
        timer?.schedule(deadline: .distantFuture)
        handler(.open)
        pumpReads()
    }
}
