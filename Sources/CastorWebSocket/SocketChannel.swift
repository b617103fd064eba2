import Dispatch
import Glibc

/// One socket file descriptor with its Dispatch read and write sources.
///
/// Encodes the Dispatch rules that bite: sources start inactive and are activated once;
/// a source is suspended while its direction is not wanted (an idle write source on a
/// writable socket would spin); a suspended or inactive source is resumed before it is
/// cancelled (otherwise its cancel handler never runs); and the descriptor is closed only
/// after both cancel handlers ran, so Dispatch never watches a closed or reused fd.
///
/// Invariant: used only on `queue` (the owning connection's queue), hence no locking.
final class SocketChannel {
    let fd: Int32
    private let queue: DispatchQueue
    private let readSource: DispatchSourceRead
    private let writeSource: DispatchSourceWrite
    private var readActive = false, readSuspended = false
    private var writeActive = false, writeSuspended = false
    private var onReadable: (() -> Void)?
    private var onWritable: (() -> Void)?
    private(set) var isClosed = false

    init(fd: Int32, queue: DispatchQueue, onReadable: @escaping () -> Void, onWritable: @escaping () -> Void) {
        self.fd = fd
        self.queue = queue
        self.onReadable = onReadable
        self.onWritable = onWritable
        readSource = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        writeSource = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: queue)
        // The handlers hold the channel weakly: the owner keeps it alive while it matters.
        readSource.setEventHandler { [weak self] in self?.fire(read: true) }
        writeSource.setEventHandler { [weak self] in self?.fire(read: false) }
        let remaining = CancelCounter(fd: fd)
        readSource.setCancelHandler { remaining.sourceCancelled() }
        writeSource.setCancelHandler { remaining.sourceCancelled() }
    }

    private func fire(read: Bool) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !isClosed else { return }
        if read { onReadable?() } else { onWritable?() }
    }

    /// Starts or stops watching for readability.
    func wantRead(_ on: Bool) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !isClosed else { return }
        if on {
            if !readActive { readActive = true; readSource.activate() }
            else if readSuspended { readSuspended = false; readSource.resume() }
        } else if readActive && !readSuspended {
            readSuspended = true
            readSource.suspend()
        }
    }

    /// Starts or stops watching for writability.
    func wantWrite(_ on: Bool) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !isClosed else { return }
        if on {
            if !writeActive { writeActive = true; writeSource.activate() }
            else if writeSuspended { writeSuspended = false; writeSource.resume() }
        } else if writeActive && !writeSuspended {
            writeSuspended = true
            writeSource.suspend()
        }
    }

    /// Releasing a suspended or inactive source crashes libdispatch, so an owner that
    /// forgot to close still gets a clean teardown.
    deinit { if !isClosed { cancelSources() } }

    /// Stops both sources; the fd is closed once both cancel handlers have run.
    func close() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !isClosed else { return }
        cancelSources()
    }

    private func cancelSources() {
        isClosed = true
        onReadable = nil
        onWritable = nil
        for (active, suspended, source) in [(readActive, readSuspended, readSource as DispatchSourceProtocol),
                                            (writeActive, writeSuspended, writeSource as DispatchSourceProtocol)] {
            if !active { source.activate() } else if suspended { source.resume() }
            source.cancel()
        }
    }
}

/// Closes the fd when the second of the two sources has been cancelled. Both cancel
/// handlers run on the channel's serial queue, so the counter needs no lock.
private final class CancelCounter: @unchecked Sendable {
    private let fd: Int32
    private var remaining = 2

    init(fd: Int32) { self.fd = fd }

    func sourceCancelled() {
        remaining -= 1
        if remaining == 0 { Glibc.close(fd) }
    }
}
