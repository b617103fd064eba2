import CCurl
import Dispatch
import Glibc

/// Drives one libcurl multi handle from Dispatch with the multi socket API.
///
/// Confinement: every stored property, the multi handle and every easy handle added
/// to it are touched only on `queue`. libcurl invokes the socket, timer, close-socket
/// and transfer callbacks only from inside curl_multi_* calls made here, so those run
/// on `queue` too. Hence `@unchecked Sendable`, with `dispatchPrecondition` at the
/// entry points.
///
/// Lifetime: sources and the timer hold this object strongly until `close()` cancels
/// them; `HTTPClient` calls `close()` when it goes away.
final class CurlMultiDriver: @unchecked Sendable {
    let queue: DispatchQueue
    private var multi: UnsafeMutableRawPointer?
    private var transfers: [UnsafeMutableRawPointer: Transfer] = [:]
    private var easyByID: [UInt64: UnsafeMutableRawPointer] = [:]
    private var sockets: [Int32: SocketWatch] = [:]
    /// Easy handles of finished transfers, kept for the next ones (see `Transfer`).
    private var idleHandles: [UnsafeMutableRawPointer] = []
    private static let maxIdleHandles = 4
    private let timer: DispatchSourceTimer

    init(queue: DispatchQueue, maxConnectionsPerHost: Int) throws(HTTPError) {
        if let failure = Curl.globalInit {
            throw .internalFailure(call: failure.call, code: failure.code, detail: failure.message, requestMayHaveBeenSent: false)
        }
        guard let multi = curl_multi_init() else {
            throw .internalFailure(call: "curl_multi_init", code: 0, detail: "out of memory", requestMayHaveBeenSent: false)
        }
        self.queue = queue
        self.multi = multi
        timer = DispatchSource.makeTimerSource(queue: queue)
        let me = Unmanaged.passUnretained(self).toOpaque()
        do {
            try Curl.check("curl_multi_setopt(SOCKETFUNCTION)") {
                castor_curl_multi_setopt_socketfn(multi) { _, fd, what, user, _ in
                    Unmanaged<CurlMultiDriver>.fromOpaque(user!).takeUnretainedValue().socketChanged(fd, what)
                    return 0
                }
            }
            try Curl.check("curl_multi_setopt(SOCKETDATA)") { castor_curl_multi_setopt_ptr(multi, CURLMOPT_SOCKETDATA, me) }
            try Curl.check("curl_multi_setopt(TIMERFUNCTION)") {
                castor_curl_multi_setopt_timerfn(multi) { _, ms, user in
                    Unmanaged<CurlMultiDriver>.fromOpaque(user!).takeUnretainedValue().timerChanged(ms)
                    return 0
                }
            }
            try Curl.check("curl_multi_setopt(TIMERDATA)") { castor_curl_multi_setopt_ptr(multi, CURLMOPT_TIMERDATA, me) }
            try Curl.check("curl_multi_setopt(PIPELINING)") {
                castor_curl_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
            }
            try Curl.check("curl_multi_setopt(MAX_HOST_CONNECTIONS)") {
                castor_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost)
            }
        } catch {
            curl_multi_cleanup(multi)
            throw .internalFailure(call: error.call, code: error.code, detail: error.message, requestMayHaveBeenSent: false)
        }
        timer.setEventHandler { [self] in action(socket: CURL_SOCKET_TIMEOUT, flags: 0) }
        timer.schedule(deadline: .distantFuture)
        timer.activate()
    }

    /// Opaque pointer to self for CLOSESOCKETDATA: valid while the multi handle lives,
    /// because `close()` cleans the multi handle up before this object can go away.
    var closeSocketData: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    /// Adds a transfer; its completion runs when libcurl reports it done.
    func start(_ transfer: Transfer) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let multi else {
            _ = transfer.release(keepHandle: false)
            transfer.complete(.failure(.clientClosed(requestMayHaveBeenSent: false)))
            return
        }
        do {
            try Curl.check("curl_multi_add_handle") { curl_multi_add_handle(multi, transfer.easy) }
        } catch {
            _ = transfer.release(keepHandle: false)
            transfer.complete(.failure(.internalFailure(call: error.call, code: error.code, detail: error.message, requestMayHaveBeenSent: false)))
            return
        }
        transfers[transfer.easy] = transfer
        easyByID[transfer.id] = transfer.easy
        // Kick libcurl now instead of waiting for the 0 ms timer it just asked for: the
        // request's bytes are written to a reused connection inside this call, with no
        // Dispatch timer hop. (The timer still fires later; curl treats it as a no-op.)
        action(socket: CURL_SOCKET_TIMEOUT, flags: 0)
    }

    /// An idle easy handle for a new transfer, if one is kept.
    func takeIdleHandle() -> UnsafeMutableRawPointer? {
        dispatchPrecondition(condition: .onQueue(queue))
        return multi == nil ? nil : idleHandles.popLast()
    }

    /// Cancels one transfer if it is still running.
    func cancel(id: UInt64) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let easy = easyByID[id], let transfer = transfers[easy] else { return }
        finish(transfer, with: .failure(.cancelled(requestMayHaveBeenSent: transfer.requestMayHaveBeenSent)))
    }

    /// Fails what is in flight, stops all callbacks, then frees the multi handle.
    func close() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let multi else { return }
        for transfer in Array(transfers.values) {
            finish(transfer, with: .failure(.clientClosed(requestMayHaveBeenSent: transfer.requestMayHaveBeenSent)))
        }
        // Cleared first so libcurl cannot call back into a half-torn-down driver; sockets
        // of pooled connections still arrive through closeSocket during the cleanup.
        _ = castor_curl_multi_setopt_socketfn(multi, nil)
        _ = castor_curl_multi_setopt_timerfn(multi, nil)
        curl_multi_cleanup(multi)
        self.multi = nil
        for easy in idleHandles { curl_easy_cleanup(easy) }
        idleHandles = []
        timer.setEventHandler {}
        timer.cancel()
        for watch in sockets.values { watch.stopWatching() }
    }

    // MARK: libcurl callbacks

    private func socketChanged(_ fd: Int32, _ what: Int32) {
        dispatchPrecondition(condition: .onQueue(queue))
        if what == CURL_POLL_REMOVE {
            sockets[fd]?.stopWatching()
            return
        }
        let watch: SocketWatch
        if let existing = sockets[fd] {
            watch = existing
        } else {
            watch = SocketWatch(
                fd: fd, queue: queue,
                onEvent: { [self] fd, flags in action(socket: fd, flags: flags) },
                onSourceGone: { [self] watch in sourceGone(watch) })
            sockets[fd] = watch
        }
        watch.watch(
            readable: what == CURL_POLL_IN || what == CURL_POLL_INOUT,
            writable: what == CURL_POLL_OUT || what == CURL_POLL_INOUT,
            readFlag: CURL_CSELECT_IN, writeFlag: CURL_CSELECT_OUT)
    }

    /// One-shot semantics on a single timer source: each call replaces the deadline.
    private func timerChanged(_ ms: Int) {
        dispatchPrecondition(condition: .onQueue(queue))
        timer.schedule(deadline: ms < 0 ? .distantFuture : .now() + .milliseconds(ms), leeway: .nanoseconds(0))
    }

    func closeSocket(_ fd: Int32) {
        dispatchPrecondition(condition: .onQueue(queue))
        if let watch = sockets[fd] {
            if watch.requestClose() { sockets[fd] = nil }
        } else {
            Glibc.close(fd)
        }
    }

    private func sourceGone(_ watch: SocketWatch) {
        // Forget the fd once nothing watches it: after a deferred close, or when libcurl
        // parked the connection (it will announce the fd again if reused).
        if watch.liveSources == 0 && sockets[watch.fd] === watch { sockets[watch.fd] = nil }
    }

    // MARK: driving

    private func action(socket: curl_socket_t, flags: Int32) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let multi else { return }
        var running: Int32 = 0
        do {
            try Curl.check("curl_multi_socket_action") { curl_multi_socket_action(multi, socket, flags, &running) }
        } catch {
            // Only a bug or memory exhaustion gets here: fail everything rather than hang.
            for transfer in Array(transfers.values) {
                finish(transfer, with: .failure(.internalFailure(
                    call: error.call, code: error.code, detail: error.message,
                    requestMayHaveBeenSent: transfer.requestMayHaveBeenSent)))
            }
            return
        }
        var pending: Int32 = 0
        while let message = curl_multi_info_read(multi, &pending) {
            // Copy out before remove_handle invalidates the message.
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            if let transfer = transfers[easy] {
                finish(transfer, with: transfer.outcome(code))
            }
        }
    }

    private func finish(_ transfer: Transfer, with result: Result<HTTPResponse, HTTPError>) {
        transfers[transfer.easy] = nil
        easyByID[transfer.id] = nil
        var removed = false
        if let multi { removed = (try? Curl.check("curl_multi_remove_handle") { curl_multi_remove_handle(multi, transfer.easy) }) != nil }
        // Only a handle libcurl finished normally goes back to the pool: after an error
        // or a cancel a fresh one costs little and carries no state of the failure.
        let reusable: Bool
        if case .success = result { reusable = removed && idleHandles.count < Self.maxIdleHandles } else { reusable = false }
        if let easy = transfer.release(keepHandle: reusable) { idleHandles.append(easy) }
        transfer.complete(result)
    }
}
