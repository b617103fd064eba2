import Glibc

/// Splits a market data recording into timed frames: one received frame per line, with an
/// optional `<unix time>: ` receive-time prefix (seconds, with up to millisecond decimals;
/// more decimals are cut), as `castor replay` reads and `castor record` writes.
///
/// Time: a prefixed line is at its time; a line without a prefix is `stepMs` after the line
/// before it (1 ms by default), and time never goes backwards (a prefix earlier than the
/// time reached so far counts as that time). Lines that are not frames — blank, comments,
/// other text, a prefix without `:` — are skipped and counted (`skipped`), as
/// `castor replay` does; whether a frame decodes is the market data adapter's call.
///
/// A cursor over borrowed bytes (a `MappedFile`): no allocation per line.
public struct RecordingReader {
    /// One frame: its time and its bytes (valid while the input is).
    public struct Frame {
        public var timeMs: Int64
        /// 1-based line number in the input.
        public var line: Int
        public var bytes: UnsafeRawBufferPointer
    }

    private let start: UnsafePointer<UInt8>?
    private let end: UnsafePointer<UInt8>?
    private var cursor: UnsafePointer<UInt8>?
    /// Lines read so far.
    public private(set) var lines = 0
    /// Lines that were not frames.
    public private(set) var skipped = 0
    /// The time of the last frame returned (or `startMs` before the first).
    public private(set) var nowMs: Int64
    /// Whether any line carried a time prefix yet.
    public private(set) var sawTime = false
    public let stepMs: Int64

    /// - Parameters:
    ///   - input: the recording; must outlive the reader.
    ///   - startMs: the time of a first line without a prefix (minus `stepMs`).
    public init(_ input: UnsafeRawBufferPointer, startMs: Int64, stepMs: Int64 = 1) {
        let base = input.baseAddress?.assumingMemoryBound(to: UInt8.self)
        start = base
        end = base.map { $0 + input.count }
        cursor = base
        nowMs = startMs
        self.stepMs = stepMs
    }

    /// The time prefix of the first line that has one among the first `lines` lines,
    /// without moving the reader (where a run puts its clock before the recording starts).
    public func firstTimeMs(within lines: Int = 10_000) -> Int64? {
        var copy = self
        while copy.lines < lines, let frame = copy.next() { if copy.sawTime { return frame.timeMs } }
        return nil
    }

    /// The next frame, or nil at the end of the input.
    public mutating func next() -> Frame? {
        guard var line = cursor, let end else { return nil }
        while line < end {
            lines += 1
            let found = memchr(line, 0x0A, end - line)
            let nl = found.map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) } ?? end
            defer { line = nl + 1 }
            if let frame = parse(line, nl) {
                cursor = nl + 1
                return frame
            }
        }
        cursor = end
        return nil
    }

    /// One line `[from, to)` as a frame, or nil (counted as skipped).
    @inline(__always)
    private mutating func parse(_ from: UnsafePointer<UInt8>, _ to: UnsafePointer<UInt8>) -> Frame? {
        var p = from
        var e = to
        while p < e, p.pointee == 0x20 || p.pointee == 0x09 { p += 1 }
        while e > p, e[-1] == 0x0D || e[-1] == 0x20 || e[-1] == 0x09 { e -= 1 }
        guard p < e else { skipped += 1; return nil }
        var stamped: Int64?
        if p.pointee &- 0x30 < 10 { // `<unix time>: ` prefix
            var seconds: Int64 = 0, millis: Int64 = 0, fractionDigits = 0, inFraction = false, digits = 0
            while p < e, p.pointee &- 0x30 < 10 || p.pointee == 0x2E {
                if p.pointee == 0x2E {
                    if inFraction { break }
                    inFraction = true
                } else if inFraction {
                    if fractionDigits < 3 { millis = millis * 10 + Int64(p.pointee &- 0x30); fractionDigits += 1 }
                } else if digits < 12 {
                    seconds = seconds * 10 + Int64(p.pointee &- 0x30)
                    digits += 1
                }
                p += 1
            }
            while fractionDigits < 3 { millis *= 10; fractionDigits += 1 }
            while p < e, p.pointee == 0x20 { p += 1 }
            guard p < e, p.pointee == 0x3A else { skipped += 1; return nil }
            p += 1
            while p < e, p.pointee == 0x20 || p.pointee == 0x09 { p += 1 }
            stamped = seconds * 1000 + millis
        }
        guard p < e, p.pointee == 0x7B else { skipped += 1; return nil }
        if let stamped {
            nowMs = max(nowMs, stamped)
            sawTime = true
        } else {
            nowMs += stepMs
        }
        return Frame(timeMs: nowMs, line: lines, bytes: UnsafeRawBufferPointer(start: p, count: e - p))
    }
}
