#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CastorCore
import Dispatch
import Synchronization

/// Writes whole log lines to a file descriptor.
///
/// Lines from different threads never interleave. Either:
///
/// - **synchronous** (tests, tools): the line is laid out into one reusable buffer and
///   written with `write(2)` while a mutex is held;
/// - **background** (the daemon, `CastorLogging.bootstrap`): the line's layout closure is
///   queued (at most `capacityBytes / 128` of them) and a serial queue of the writer's own
///   lays out and writes the lines, in order, every `paceMs` while lines come (at once for a
///   burst). The thread that logs pays for one queue append: neither the layout (some 20,000
///   instructions a line) nor waking the writer's thread (about 30 µs at the median) lands on
///   the engine's queue between a tick and its order. A slow or stuck stdout (a pipe nobody reads, a stalled
///   journald) can never stall the engine queue: when the queue is full the line is dropped
///   and counted, as is a line longer than `capacityBytes`, and once the output accepts
///   writes again one notice line says how many were lost (`dropNotice`, `event:
///   log.dropped`). Call `flush(timeout:)` before the process exits;
///   `CastorLogging.bootstrap` registers it with `atexit`.
///
/// The writer does not own the descriptor: stdout/stderr outlive it, and tests close their pipe.
public final class LogWriter: Sendable {
    /// Where lines go once formatted.
    public enum Mode: Sendable, Equatable {
        case synchronous
        /// At most `capacityBytes / 128` lines (at least one) wait for the output, none longer
        /// than `capacityBytes`; more are dropped.
        case background(capacityBytes: Int)
    }

    /// One queued line: the closure that lays it out.
    public typealias Format = @Sendable (inout [UInt8]) -> Void

    /// The descriptor lines go to.
    public let fd: Int32
    public let mode: Mode

    private struct State {
        var staging: [UInt8] = []
        /// Background mode: lines waiting to be formatted and written, in order.
        var queued: [Format] = []
        var drainScheduled = false
        var droppedSinceNotice: UInt64 = 0
        var droppedTotal: UInt64 = 0
        /// Background mode: a pace tick is armed (the ticks stop after
        /// `idleTicksBeforeStop` of them found nothing to write).
        var pacing = false
        var idleTicks = 0
    }
    private let state: Mutex<State>
    private let output: DispatchQueue
    /// Runs the pace ticks (a `ManualClock` in tests).
    private let clock: EngineClock
    private let dropNotice: @Sendable (UInt64, inout [UInt8]) -> Void

    /// Buffers that grew past this for one huge event are released afterwards.
    private static let retainedCapacity = 16 * 1024

    /// A writer for `fd` (1 = stdout, the journal when run by systemd).
    /// - Parameter clock: runs the background mode's pace ticks.
    /// - Parameter dropNotice: appends the line (without newline) that reports `n` dropped
    ///   lines; the default is a bare JSON object.
    public init(fd: Int32 = 1, mode: Mode = .synchronous, clock: EngineClock = .system,
                dropNotice: @escaping @Sendable (UInt64, inout [UInt8]) -> Void = LogWriter.defaultDropNotice) {
        self.fd = fd
        self.mode = mode
        self.dropNotice = dropNotice
        var initial = State()
        initial.staging.reserveCapacity(1024)
        state = Mutex(initial)
        output = DispatchQueue(label: "castor.log.writer")
        self.clock = clock
    }

    /// How often queued lines are written while they come. Waking the writer's thread for a
    /// line cost the logging thread about 30 µs at the median (measured on the engine's
    /// queue between a tick and its order, `castor-bench latency --log-level info`); a line
    /// now waits up to this long instead.
    static let paceMs = 10
    /// Quiet ticks after which the ticks stop (the next line starts them again: one wake-up).
    static let idleTicksBeforeStop = 100

    /// `{"level":"warning","event":"log.dropped","dropped":"n"}`: one such line follows every
    /// run of dropped lines, once the output takes writes again, and `dropped` counts exactly
    /// the lines lost since the previous notice (the notices add up to `droppedLines`).
    public static let defaultDropNotice: @Sendable (UInt64, inout [UInt8]) -> Void = { n, out in
        out.append(contentsOf: Array(#"{"level":"warning","msg":"log lines dropped: the output could not keep up","event":"log.dropped","dropped":"\#(n)"}"#.utf8))
    }

    /// Lines dropped so far because the output could not keep up (background mode).
    public var droppedLines: UInt64 { state.withLock { $0.droppedTotal } }

    /// Writes one line laid out by `format` (which must not append the newline): at once in
    /// synchronous mode; queued for the writer's own queue, which formats it, in background
    /// mode.
    public func writeLine(_ format: @escaping Format) {
        guard case .background(let capacity) = mode else {
            state.withLock { s in
                s.staging.removeAll(keepingCapacity: true)
                format(&s.staging)
                s.staging.append(UInt8(ascii: "\n"))
                Self.writeAll(fd, s.staging)
                if s.staging.capacity > Self.retainedCapacity {
                    s.staging = []
                    s.staging.reserveCapacity(1024)
                }
            }
            return
        }
        let maxQueued = max(1, capacity / 128)
        var startTicks = false
        let scheduleDrain = state.withLock { s -> Bool in
            if s.queued.count < maxQueued {
                s.queued.append(format)
            } else {
                s.droppedSinceNotice += 1
                s.droppedTotal += 1
            }
            s.idleTicks = 0
            if !s.pacing {
                s.pacing = true
                startTicks = true
            }
            // The ticks write what comes at a trickle; a burst (a quarter of the queue, or a
            // drop to report) is written at once.
            guard s.queued.count >= max(1, maxQueued / 4) || s.droppedSinceNotice > 0, !s.drainScheduled else { return false }
            s.drainScheduled = true
            return true
        }
        if startTicks { armTick() }
        if scheduleDrain { output.async { self.drain() } }
    }

    /// Waits until every queued line has been written, or `timeout` passed; true when done.
    @discardableResult
    public func flush(timeout: DispatchTimeInterval = .seconds(2)) -> Bool {
        guard case .background = mode else { return true }
        let done = DispatchSemaphore(value: 0)
        output.async {
            self.drain()
            done.signal()
        }
        return done.wait(timeout: .now() + timeout) == .success
    }

    private func armTick() {
        clock.schedule(on: output, afterMs: Int64(Self.paceMs)) { [weak self] in self?.tick() }
    }

    /// On `output`, every `paceMs` while lines come: writes them; after enough quiet ticks,
    /// stops ticking.
    private func tick() {
        let (quiet, again) = state.withLock { s -> (Bool, Bool) in
            guard s.queued.isEmpty, s.droppedSinceNotice == 0 else {
                s.idleTicks = 0
                return (false, true)
            }
            s.idleTicks += 1
            guard s.idleTicks < Self.idleTicksBeforeStop else {
                s.pacing = false
                s.idleTicks = 0
                return (true, false)
            }
            return (true, true)
        }
        if !quiet { drain() }
        if again { armTick() }
    }

    /// On `output`: formats and writes what is queued, swapping the queue out so producers
    /// only wait for the swap, never for the formatting or the write; then the notice for
    /// lines dropped meanwhile.
    private func drain() {
        guard case .background(let capacity) = mode else { return }
        var formats: [Format] = []
        var batch: [UInt8] = []
        var line: [UInt8] = []
        while true {
            let more = state.withLock { s -> Bool in
                guard !s.queued.isEmpty || s.droppedSinceNotice > 0 else {
                    s.drainScheduled = false
                    return false
                }
                swap(&formats, &s.queued)
                return true
            }
            guard more else { return }
            var oversize: UInt64 = 0
            for format in formats {
                line.removeAll(keepingCapacity: true)
                format(&line)
                guard line.count < capacity else {
                    oversize += 1
                    continue
                }
                batch.append(contentsOf: line)
                batch.append(UInt8(ascii: "\n"))
            }
            formats.removeAll(keepingCapacity: true)
            if line.capacity > Self.retainedCapacity { line = [] }
            let dropped = state.withLock { s -> UInt64 in
                s.droppedSinceNotice += oversize
                s.droppedTotal += oversize
                let n = s.droppedSinceNotice
                s.droppedSinceNotice = 0
                return n
            }
            Self.writeAll(fd, batch)
            batch.removeAll(keepingCapacity: batch.capacity <= 4 * Self.retainedCapacity)
            if dropped > 0 {
                var notice: [UInt8] = []
                dropNotice(dropped, &notice)
                notice.append(UInt8(ascii: "\n"))
                Self.writeAll(fd, notice)
            }
        }
    }

    /// Loops only for EINTR and short writes; any other failure drops the line, because there
    /// is nowhere left to report that logging itself failed.
    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}
