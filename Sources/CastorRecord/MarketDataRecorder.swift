import CastorCore
import CastorFeeds
import Dispatch
import Glibc

/// `castor record`'s engine: market data v2 frames from a `MarketDataTap` into
/// `RecordingFiles`, one line per received frame, `<unix seconds>.<millis>: <frame>`
/// (the receive time on the wall clock), the format `castor replay` and `castor backtest`
/// read.
///
/// At each gap — the connection was live and is lost — one comment line is written,
/// `# gap <unix seconds>.<millis> <cause code>: <cause>`; readers skip it (`#` is not a
/// frame), and the feed's fresh snapshot after the reconnect resets the books. The first
/// line of the first file is a `# castor record …` comment naming the source.
///
/// Writes are buffered on the feed queue and handed, a chunk of at least `chunkBytes`
/// (or whatever arrived within `flushIntervalMs`) at a time, to an I/O queue of their own,
/// so a slow disk never stalls the socket's reads.
///
/// Invariant behind `@unchecked Sendable`: feed-side state is used only on `queue`,
/// `files` and `writeError` only on `ioQueue`.
public final class MarketDataRecorder: @unchecked Sendable {
    /// Counters so far (read on `queue`, or through `statistics`).
    public struct Statistics: Sendable {
        public var messages = 0
        /// Bytes of lines produced (prefixes, markers and newlines included).
        public var bytes = 0
        /// Connections that went live again after a gap.
        public var reconnects = 0
        /// Gap markers written.
        public var gaps = 0
        /// Seconds since `start()`.
        public var seconds = 0.0
        /// Files written, in order (set by `finish`).
        public var files: [String] = []
        /// The current connection state.
        public var state = "idle"
    }

    public let queue = DispatchQueue(label: "castor.record.feed")
    private let ioQueue = DispatchQueue(label: "castor.record.io")
    private let tap: MarketDataTap
    private let files: RecordingFiles
    private let chunkBytes: Int
    private let flushIntervalMs: Int
    private var buffer: [UInt8] = []
    private var stats = Statistics()
    private var startedNs: UInt64 = 0
    private var everLive = false
    private var inGap = false
    private var flushTimer: DispatchSourceTimer?
    private var finished = false
    private var writeError: RecordingFileError?
    /// Called once on `queue` if the feed fails for good (e.g. an invalid URL).
    public var onFatal: @Sendable (String) -> Void = { _ in }
    /// Called once on `queue` when a write fails; the recording should end.
    public var onWriteError: @Sendable (String) -> Void = { _ in }

    /// Creates the first output file at once (throws if it cannot be created).
    public init(output: String, rotation: RecordingRotation, feed: MarketDataTap.Configuration,
                chunkBytes: Int = 16 * 1024, flushIntervalMs: Int = 200) throws(RecordingFileError) {
        files = try RecordingFiles(path: output, rotation: rotation, nowMs: Self.wallMs())
        tap = MarketDataTap(queue: queue, configuration: feed)
        self.chunkBytes = chunkBytes
        self.flushIntervalMs = flushIntervalMs
        buffer.reserveCapacity(chunkBytes * 2)
        tap.onFrame = { [unowned self] in self.received($0) }
        tap.onState = { [unowned self] in self.changed($0) }
    }

    /// Connects and records until `finish`.
    public func start() {
        queue.async { [self] in
            startedNs = DispatchTime.now().uptimeNanoseconds
            appendLine("# castor record \(tap.configuration.url) symbols \(tap.configuration.symbols.joined(separator: ",")) started \(Self.stamp(Self.wallMs()))")
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(deadline: .now() + .milliseconds(flushIntervalMs), repeating: .milliseconds(flushIntervalMs))
            timer.setEventHandler { [unowned self] in self.flush() }
            timer.activate()
            flushTimer = timer
            tap.start()
        }
    }

    /// The counters now (from any thread but `queue`).
    public var statistics: Statistics { queue.sync { current() } }

    /// Stops the feed, writes what is buffered, syncs and closes the file, then calls
    /// `completion` (on the I/O queue) with the final counters and a write error, if any.
    public func finish(_ completion: @escaping @Sendable (Statistics, RecordingFileError?) -> Void) {
        queue.async { [self] in
            guard !finished else { return }
            finished = true
            tap.stop()
            flushTimer?.cancel()
            flushTimer = nil
            flush()
            let summary = current()
            ioQueue.async { [self] in
                var failure = writeError
                do throws(RecordingFileError) { try files.close() } catch { failure = failure ?? error }
                var final = summary
                final.files = files.paths
                completion(final, failure)
            }
        }
    }

    private func current() -> Statistics {
        dispatchPrecondition(condition: .onQueue(queue))
        var s = stats
        s.seconds = startedNs == 0 ? 0 : Double(DispatchTime.now().uptimeNanoseconds - startedNs) / 1e9
        return s
    }

    // MARK: feed side

    private func received(_ frame: UnsafeRawBufferPointer) {
        guard !finished else { return }
        stats.messages += 1
        let before = buffer.count
        appendStamp(Self.wallMs())
        buffer.append(contentsOf: frame)
        buffer.append(0x0A)
        stats.bytes += buffer.count - before
        if buffer.count >= chunkBytes { flush() }
    }

    private func changed(_ state: FeedConnectionState) {
        switch state {
        case .live:
            if everLive { stats.reconnects += 1 }
            everLive = true
            inGap = false
            stats.state = "live"
        case .reconnecting(let cause, _, _):
            stats.state = "reconnecting"
            guard everLive, !inGap, !finished else { return }
            inGap = true
            stats.gaps += 1
            let why = cause.description.map { $0 == "\n" || $0 == "\r" ? " " : $0 }
            appendLine("# gap \(Self.stamp(Self.wallMs())) \(cause.code): \(String(why))")
            flush()
        case .failed(let error):
            stats.state = "failed"
            onFatal(error.description)
        case .idle, .connecting, .subscribing:
            stats.state = state.description
        }
    }

    private func appendLine(_ text: String) {
        let before = buffer.count
        buffer.append(contentsOf: text.utf8)
        buffer.append(0x0A)
        stats.bytes += buffer.count - before
    }

    /// `1712345678.123: `
    private func appendStamp(_ ms: Int64) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                                                               0, 0, 0, 0, 0, 0, 0, 0)
        var seconds = max(0, ms) / 1000
        let millis = Int(max(0, ms) % 1000)
        withUnsafeMutableBytes(of: &digits) { out in
            var i = out.count
            repeat {
                i -= 1
                out[i] = UInt8(truncatingIfNeeded: 0x30 + seconds % 10)
                seconds /= 10
            } while seconds > 0 && i > 0
            buffer.append(contentsOf: out[i...])
        }
        buffer.append(0x2E)
        buffer.append(UInt8(0x30 + millis / 100))
        buffer.append(UInt8(0x30 + millis / 10 % 10))
        buffer.append(UInt8(0x30 + millis % 10))
        buffer.append(0x3A)
        buffer.append(0x20)
    }

    /// Hands the buffered lines to the I/O queue.
    private func flush() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !buffer.isEmpty else { return }
        let chunk = buffer
        buffer = []
        buffer.reserveCapacity(chunkBytes * 2)
        let now = Self.wallMs()
        ioQueue.async { [self] in
            guard writeError == nil else { return }
            do throws(RecordingFileError) { try files.write(chunk, timeMs: now) } catch {
                writeError = error
                let report = onWriteError
                queue.async { report(error.description) }
            }
        }
    }

    // MARK: time

    static func wallMs() -> Int64 { EngineClock.systemWallMs() }

    /// `1712345678.123`
    static func stamp(_ ms: Int64) -> String {
        let millis = Int(ms % 1000)
        return "\(ms / 1000)." + (millis < 10 ? "00" : millis < 100 ? "0" : "") + "\(millis)"
    }
}
