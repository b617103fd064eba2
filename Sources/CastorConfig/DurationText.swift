import Foundation
/// Durations as written in the configuration: `"250ms"`, `"15s"`, `"1.5s"`, `"2m"`, `"1h"`,
/// or a bare integer number of seconds.
///
/// Every value is bounded by ``maximum`` when parsed, and every computation here uses the
/// overflow-reporting forms, so no configuration value can trap (issue 10, defect 8).
public enum DurationText {
    /// The longest duration any key accepts before its own range check: about 31 years.
    static let maximumSeconds: Int64 = 1_000_000_000
    static var maximum: Duration { .seconds(maximumSeconds) }

    enum Parsed: Equatable {
        case value(Duration)
        /// Not a duration at all (wrong type, no unit, negative).
        case malformed
        /// A well-formed duration longer than ``maximum``.
        case tooLong
    }

    static func parse(_ node: ConfigNode) -> Duration? {
        if case .value(let duration) = parseChecked(node) { return duration }
        return nil
    }

    public static func parse(_ text: String) -> Duration? {
        if case .value(let duration) = parseChecked(text) { return duration }
        return nil
    }

    static func parseChecked(_ node: ConfigNode) -> Parsed {
        switch node {
        case .integer(let seconds):
            guard seconds >= 0 else { return .malformed }
            return Int64(exactly: seconds).map { $0 <= maximumSeconds ? .value(.seconds($0)) : .tooLong } ?? .tooLong
        case .string(let text): return parseChecked(text)
        default: return .malformed
        }
    }

    static func parseChecked(_ text: String) -> Parsed {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Int64)] = [("ms", 1_000_000), ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000)]
        for (suffix, nanosPerUnit) in units where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count)
            // "ms" also ends in "s"/"m": accept only if what remains is a plain number.
            guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
                  number.filter({ $0 == "." }).count <= 1, let value = Double(number) else { continue }
            let nanos = value * Double(nanosPerUnit)
            guard nanos.isFinite else { return .tooLong }
            guard nanos <= Double(maximumSeconds) * 1e9 else { return .tooLong }
            return .value(.nanoseconds(Int64(nanos.rounded())))
        }
        return .malformed
    }

    /// `15s`, `500ms`, `2m` — the shortest exact form, for messages. Never traps, whatever
    /// the duration (a value out of range is formatted in order to be reported).
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0 {
            if seconds >= 60 && seconds % 60 == 0 { return "\(seconds / 60)m" }
            return "\(seconds)s"
        }
        if attoseconds % 1_000_000_000_000_000 == 0 {
            let (ms, overflow) = seconds.multipliedReportingOverflow(by: 1000)
            let (total, overflow2) = ms.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
            if !overflow && !overflow2 { return "\(total)ms" }
        }
        return "\(Double(seconds) + Double(attoseconds) / 1e18)s"
    }
}
