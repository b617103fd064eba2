import Logging
import Synchronization

/// The process-wide minimum log level, changeable at run time (SIGHUP reload).
///
/// Every Castor handler reads the level from one of these on each event, so one `set` changes
/// every logger at once, including loggers already stored in long-lived objects. The level is
/// a single atomic byte: reading it costs one relaxed load on the logging hot path.
public final class LogLevelControl: Sendable {
    /// The control the handlers made by `CastorLogging` use unless given another.
    public static let shared = LogLevelControl(.info)

    private let raw: Atomic<UInt8>

    /// A control starting at `level`; tests make their own so they do not race on `shared`.
    public init(_ level: Logger.Level) {
        raw = Atomic(Self.encode(level))
    }

    /// The current minimum level.
    public var level: Logger.Level {
        Self.decode(raw.load(ordering: .relaxed))
    }

    /// Changes the minimum level for every handler reading this control.
    public func set(_ level: Logger.Level) {
        raw.store(Self.encode(level), ordering: .relaxed)
    }

    private static let levels = Logger.Level.allCases

    private static func encode(_ level: Logger.Level) -> UInt8 {
        UInt8(levels.firstIndex(of: level)!)
    }

    private static func decode(_ value: UInt8) -> Logger.Level {
        levels[Int(value)]
    }
}
