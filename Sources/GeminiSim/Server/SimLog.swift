/// One structured log event from the simulator.
///
/// GeminiSim cannot depend on swift-log, so it hands events to a sink the host supplies;
/// `castor sim` writes each as one JSON object per line.
public struct SimLogRecord: Sendable {
    public enum Level: String, Sendable { case debug, info, warning, error }
    public let level: Level
    /// A stable event name, e.g. `sim.listening`, `http.request`.
    public let event: String
    /// Structured fields; never secrets.
    public let fields: [(String, String)]

    public init(level: Level, event: String, fields: [(String, String)] = []) {
        self.level = level
        self.event = event
        self.fields = fields
    }

    /// The record as one compact JSON object: `{"level":…,"event":…,<fields>}`.
    public func json(timestampMilliseconds: Int64) -> String {
        var members: [(String, GeminiJSON)] = [("ts_ms", .int(timestampMilliseconds)), ("level", .string(level.rawValue)),
                                              ("event", .string(event))]
        members += fields.map { ($0.0, .string($0.1)) }
        return GeminiJSON.object(members).serialized
    }
}

/// Where the simulator's log records go. Called from any task; must be thread-safe.
public typealias SimLogSink = @Sendable (SimLogRecord) -> Void
