import Foundation
/// Durations as written in the configuration: `"250ms"`, `"15s"`, `"1.5s"`, `"2m"`, `"1h"`,
/// or a bare integer number of seconds.
enum DurationText {
    static func parse(_ node: ConfigNode) -> Duration? {
        switch node {
        case .integer(let seconds): return seconds >= 0 ? .seconds(seconds) : nil
        case .string(let text): return parse(text)
        default: return nil
        }
    }

    static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Int64)] = [("ms", 1_000_000), ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000)]
        for (suffix, nanosPerUnit) in units where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count)
            // "ms" also ends in "s"/"m": accept only if what remains is a plain number.
            guard !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." }),
                  number.filter({ $0 == "." }).count <= 1, let value = Double(number) else { continue }
            let nanos = value * Double(nanosPerUnit)
            guard nanos.isFinite, nanos < 1e18 else { return nil }
            return .nanoseconds(Int64(nanos.rounded()))
        }
        return nil
    }

    /// `15s`, `500ms`, `2m` — the shortest exact form, for messages.
    static func format(_ duration: Duration) -> String {
        let nanos = duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
        if nanos % 60_000_000_000 == 0 && nanos >= 60_000_000_000 { return "\(nanos / 60_000_000_000)m" }
        if nanos % 1_000_000_000 == 0 { return "\(nanos / 1_000_000_000)s" }
        if nanos % 1_000_000 == 0 { return "\(nanos / 1_000_000)ms" }
        return "\(Double(nanos) / 1e9)s"
    }
}
