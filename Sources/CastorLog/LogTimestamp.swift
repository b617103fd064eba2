#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A UTC wall-clock instant with microsecond precision, formatted without Foundation.
///
/// `DateFormatter` allocates and consults locale data per call; this reads `clock_gettime`
/// and converts with `gmtime_r`, writing digits straight into the line buffer.
public struct LogTimestamp: Sendable {
    var seconds: Int
    var microseconds: Int

    static func now() -> LogTimestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return LogTimestamp(seconds: Int(ts.tv_sec), microseconds: Int(ts.tv_nsec) / 1_000)
    }

    /// Appends `2026-11-23T16:00:51.123456Z` (ISO 8601) or, with `iso: false`,
    /// `2026-11-23 16:00:51.123456` for terminals.
    func append(to out: inout [UInt8], iso: Bool) {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        Self.digits(Int(parts.tm_year) + 1900, 4, &out)
        out.append(UInt8(ascii: "-"))
        Self.digits(Int(parts.tm_mon) + 1, 2, &out)
        out.append(UInt8(ascii: "-"))
        Self.digits(Int(parts.tm_mday), 2, &out)
        out.append(iso ? UInt8(ascii: "T") : UInt8(ascii: " "))
        Self.digits(Int(parts.tm_hour), 2, &out)
        out.append(UInt8(ascii: ":"))
        Self.digits(Int(parts.tm_min), 2, &out)
        out.append(UInt8(ascii: ":"))
        Self.digits(Int(parts.tm_sec), 2, &out)
        out.append(UInt8(ascii: "."))
        Self.digits(microseconds, 6, &out)
        if iso { out.append(UInt8(ascii: "Z")) }
    }

    private static func digits(_ value: Int, _ width: Int, _ out: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8((rest / divisor) % 10))
            rest %= divisor
            divisor /= 10
        }
    }
}
