import Logging

/// Sees every line that has an `event` key, on the thread that logged it (alert webhooks).
/// It must return at once and must not log itself.
public typealias LogTap = @Sendable (_ level: Logger.Level, _ message: String, _ event: String, _ metadata: Logger.Metadata) -> Void

/// How one log line is laid out: everything but the metadata merging, levels and the
/// single `write(2)` per line, which `LineLogHandler` does the same for every layout.
public protocol LogLineLayout: Sendable {
    /// Appends one whole line (without its newline) for an event.
    /// `fields` are sorted by key, one per key, the component taken out.
    static func appendLine(level: Logger.Level, message: Logger.Message, component: String,
                           fields: [(key: String, value: Logger.MetadataValue)], timestamp: LogTimestamp, to out: inout [UInt8])
}

/// A swift-log handler writing one line per event through a `LogWriter`, laid out by
/// `Layout` (`JSONLogHandler`, `TextLogHandler`). With `priorityPrefix` (the output is
/// journald's stream, `JournalStream`) each line starts with its syslog priority, `<N>`,
/// which journald strips: the rest of the line is the layout's, unchanged.
public struct LineLogHandler<Layout: LogLineLayout>: LogHandler {
    /// The logger label, written as the line's component unless metadata names another.
    public let label: String
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    private let writer: LogWriter
    private let levelControl: LogLevelControl
    private var levelOverride: Logger.Level?
    /// Lines start with `<N>`, the syslog priority of their level (journald's stream).
    public let priorityPrefix: Bool
    /// Told of each line with an `event` (see `LogTap`).
    public let tap: LogTap?

    /// A handler for `label` writing through `writer`, filtered by `levelControl`.
    public init(label: String, writer: LogWriter, levelControl: LogLevelControl = .shared,
                metadataProvider: Logger.MetadataProvider? = nil, priorityPrefix: Bool = false, tap: LogTap? = nil) {
        self.label = label
        self.tap = tap
        self.writer = writer
        self.levelControl = levelControl
        self.metadataProvider = metadataProvider
        self.priorityPrefix = priorityPrefix
    }

    /// The process-wide level; setting it on one logger pins only that logger's level.
    public var logLevel: Logger.Level {
        get { levelOverride ?? levelControl.level }
        set { levelOverride = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        guard event.level >= logLevel else { return }
        let timestamp = LogTimestamp.now()
        // What only the calling thread knows is read here: the provider's metadata (task- or
        // thread-local context) and the error's text. The rest of the line is laid out on
        // the writer's queue in background mode (`LogWriter`), off the engine's queue; a
        // `stringConvertible` value is described there (swift-log requires it be Sendable).
        let provided = metadataProvider?.get() ?? [:]
        let errorText = event.error.map { String(describing: $0) }
        let (handlerMetadata, call, level, message, label, prefix) =
            (metadata, event.metadata, event.level, event.message, label, priorityPrefix)
        if let tap {
            var fields = LogMetadataMerge.fields(handlerMetadata, provided, call, errorText: errorText)
            _ = LogMetadataMerge.takeComponent(from: &fields, label: label)
            if let key = fields.first(where: { $0.key == "event" })?.value {
                tap(level, "\(message)", "\(key)", LogMetadataMerge.metadata(fields))
            }
        }
        writer.writeLine { out in
            var fields = LogMetadataMerge.fields(handlerMetadata, provided, call, errorText: errorText)
            let component = LogMetadataMerge.takeComponent(from: &fields, label: label)
            if prefix { JournalStream.appendPrefix(for: level, to: &out) }
            Layout.appendLine(level: level, message: message, component: component,
                              fields: fields, timestamp: timestamp, to: &out)
        }
    }
}
