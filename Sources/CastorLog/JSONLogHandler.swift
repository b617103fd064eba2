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
public typealias JSONLogHandler = LineLogHandler<JSONLineLayout>

/// The JSON layout of `JSONLogHandler`.
public enum JSONLineLayout: LogLineLayout {
    public static func appendLine(level: Logger.Level, message: Logger.Message, component: String,
                                  fields: [(key: String, value: Logger.MetadataValue)], timestamp: LogTimestamp, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"ts":""#.utf8)
        timestamp.append(to: &out, iso: true)
        out.append(contentsOf: #"","level":""#.utf8)
        out.append(contentsOf: level.rawValue.utf8)
        out.append(contentsOf: #"","msg":"#.utf8)
        JSONLineEncoder.appendString(message.description, to: &out)
        out.append(contentsOf: #","component":"#.utf8)
        JSONLineEncoder.appendString(component, to: &out)
        for (key, value) in fields {
            out.append(UInt8(ascii: ","))
            if LogMetadataMerge.reserved.contains(key) {
                JSONLineEncoder.appendString("meta." + key, to: &out)
            } else {
                JSONLineEncoder.appendString(key, to: &out)
            }
            out.append(UInt8(ascii: ":"))
            JSONLineEncoder.appendValue(value, key: key, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }
}
