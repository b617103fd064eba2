import Dispatch
import Glibc

/// The Dispatch sources watching one libcurl socket, and who closes it.
///
/// Confinement: used only on the driver's queue (the sources' handlers run there too),
/// hence `@unchecked Sendable`.
///
/// Closing rule: libcurl asks to close sockets through CLOSESOCKETFUNCTION. If a source
/// still watches the fd, closing it now would let the number be reused while epoll and
/// libdispatch still track it, so the close is deferred to the last cancel handler.
final class SocketWatch: @unchecked Sendable {
    let fd: Int32
    private let queue: DispatchQueue
    private var read: DispatchSourceRead?
    private var write: DispatchSourceWrite?
    private var readSuspended = false
    private var writeSuspended = false
    /// Sources created and not yet through their cancel handler.
    private(set) var liveSources = 0
    private(set) var closeRequested = false
    private let onEvent: @Sendable (Int32, Int32) -> Void
    private let onSourceGone: @Sendable (SocketWatch) -> Void

    /// `onEvent(fd, CURL_CSELECT_*)` when the socket is ready; `onSourceGone` after each
    /// cancel handler.
    init(fd: Int32, queue: DispatchQueue,
         onEvent: @escaping @Sendable (Int32, Int32) -> Void,
         onSourceGone: @escaping @Sendable (SocketWatch) -> Void) {
        self.fd = fd
        self.queue = queue
        self.onEvent = onEvent
        self.onSourceGone = onSourceGone
    }

    /// Watches exactly the directions libcurl asked for. Unwanted sources are suspended,
    /// not left running: a ready-but-unwanted socket would make them spin.
    func watch(readable: Bool, writable: Bool, readFlag: Int32, writeFlag: Int32) {
        dispatchPrecondition(condition: .onQueue(queue))
        if readable && read == nil {
            let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
            let fd = fd, onEvent = onEvent
            source.setEventHandler { onEvent(fd, readFlag) }
            source.setCancelHandler { [self] in sourceGone() }
            liveSources += 1
            read = source
            source.activate()
        } else if let read {
            if readable && readSuspended { read.resume(); readSuspended = false }
            if !readable && !readSuspended { read.suspend(); readSuspended = true }
        }
        if writable && write == nil {
            let source = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: queue)
            let fd = fd, onEvent = onEvent
            source.setEventHandler { onEvent(fd, writeFlag) }
            source.setCancelHandler { [self] in sourceGone() }
            liveSources += 1
            write = source
            source.activate()
        } else if let write {
            if writable && writeSuspended { write.resume(); writeSuspended = false }
            if !writable && !writeSuspended { write.suspend(); writeSuspended = true }
        }
    }

    /// Cancels both sources (resuming first: a suspended source never runs its cancel
    /// handler).
    func stopWatching() {
        dispatchPrecondition(condition: .onQueue(queue))
        if let read {
            if readSuspended { read.resume(); readSuspended = false }
            read.cancel()
            self.read = nil
        }
        if let write {
            if writeSuspended { write.resume(); writeSuspended = false }
            write.cancel()
            self.write = nil
        }
    }

    /// libcurl is done with the fd: close now if nothing watches it, else after the last
    /// cancel handler. Returns true when the fd was closed here.
    func requestClose() -> Bool {
        dispatchPrecondition(condition: .onQueue(queue))
        stopWatching()
        if liveSources == 0 {
            Glibc.close(fd)
            return true
        }
        closeRequested = true
        return false
    }

    private func sourceGone() {
        dispatchPrecondition(condition: .onQueue(queue))
        liveSources -= 1
        if liveSources == 0 && closeRequested { Glibc.close(fd) }
        onSourceGone(self)
    }
}
