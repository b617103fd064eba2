/// Severity of a strategy log line; the engine maps it onto its logger's levels.
public enum LogLevel: String, Sendable, Hashable, Comparable, CaseIterable {
    case trace, debug, info, notice, warning, error

    private var rank: Int { LogLevel.allCases.firstIndex(of: self)! }
    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rank < b.rank }
}
