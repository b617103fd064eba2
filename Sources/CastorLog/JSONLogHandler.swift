import Logging

/// A swift-log handler writing one JSON object per line:
/// `{"ts":"2026-11-23T16:00:51.123456Z","level":"info","msg":"…","component":"engine",…}`.
///
/// Metadata (handler, provider, then per-call, later ones winning) is flattened into
/// top-level fields in key order. A `component` metadata string overrides the label as the
/// `component` field (so a sub-component can label its lines without a logger of its own;
/// the field appears once); any other metadata key that collides with `ts`, `level`, `msg`
/// or `component` is written as `meta.<key>` so the fixed fields stay unambiguous. Keys naming
/// secrets are written as `"<redacted>"` (see `LogRedaction`).
public struct JSONLogHandler: LogHandler {
    /// The logger label, written as `component`.
    public let label: String
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    private let writer: LogWriter
    private let levelControl: LogLevelControl
    private var levelOverride: Logger.Level?

    /// A handler for `label` writing through `writer`, filtered by `levelControl`.
    public init(label: String, writer: LogWriter, levelControl: LogLevelControl = .shared,
                metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.writer = writer
        self.levelControl = levelControl
        self.metadataProvider = metadataProvider
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
        var merged = LogMetadataMerge.merge(metadata, metadataProvider, event.metadata, error: event.error)
        let component = LogMetadataMerge.takeComponent(from: &merged, label: label)
        let timestamp = LogTimestamp.now()
        writer.writeLine { out in
            out.append(contentsOf: Array(#"{"ts":""#.utf8))
            timestamp.append(to: &out, iso: true)
            out.append(contentsOf: Array(#"","level":""#.utf8))
            out.append(contentsOf: Array(event.level.rawValue.utf8))
            out.append(contentsOf: Array(#"","msg":"#.utf8))
            JSONLineEncoder.appendString(event.message.description, to: &out)
            out.append(contentsOf: Array(#","component":"#.utf8))
            JSONLineEncoder.appendString(component, to: &out)
            for key in merged.keys.sorted() {
                out.append(UInt8(ascii: ","))
                let field = LogMetadataMerge.reserved.contains(key) ? "meta." + key : key
                JSONLineEncoder.appendString(field, to: &out)
                out.append(UInt8(ascii: ":"))
                JSONLineEncoder.appendValue(merged[key]!, key: key, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}

/// Metadata merging shared by the JSON and text handlers.
enum LogMetadataMerge {
    static let reserved: Set<String> = ["ts", "level", "msg", "component"]

    /// The component a line is attributed to: a string `component` metadata value (removed
    /// from `merged`, so it is not written twice), else the logger label.
    static func takeComponent(from merged: inout Logger.Metadata, label: String) -> String {
        switch merged["component"] {
        case .string(let s)?:
            merged["component"] = nil
            return s
        case .stringConvertible(let c)?:
            merged["component"] = nil
            return c.description
        default:
            return label
        }
    }

    /// Later sources win; a thrown error rides along as `error` unless metadata already has one.
    static func merge(_ handler: Logger.Metadata, _ provider: Logger.MetadataProvider?,
                      _ call: Logger.Metadata?, error: (any Error)?) -> Logger.Metadata {
        var merged = handler
        if let provided = provider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, new in new }
        }
        if let call, !call.isEmpty {
            merged.merge(call) { _, new in new }
        }
        if let error, merged["error"] == nil {
            merged["error"] = .string(String(describing: error))
        }
        return merged
    }
}
