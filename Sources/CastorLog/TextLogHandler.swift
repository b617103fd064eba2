import Logging

/// A swift-log handler for terminals:
/// `2026-11-23 16:00:51.123456 INFO  engine: order accepted symbol=BTCUSD price=50000.5`.
///
/// Same metadata merging and redaction as `JSONLogHandler`; values containing spaces, quotes
/// or `=` are quoted so a line still splits unambiguously into `key=value` pairs. Control
/// characters in messages are escaped so one event stays one line.
public typealias TextLogHandler = LineLogHandler<TextLineLayout>

/// The terminal layout of `TextLogHandler`.
public enum TextLineLayout: LogLineLayout {
    public static func appendLine(level: Logger.Level, message: Logger.Message, component: String,
                                  metadata merged: Logger.Metadata, timestamp: LogTimestamp, to out: inout [UInt8]) {
        timestamp.append(to: &out, iso: false)
        out.append(UInt8(ascii: " "))
        let levelName = level.rawValue.uppercased()
        out.append(contentsOf: Array(levelName.utf8))
        for _ in min(levelName.count, 5)..<5 { out.append(UInt8(ascii: " ")) }
        out.append(UInt8(ascii: " "))
        Self.appendEscaped(component, to: &out)
        out.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: " ")])
        Self.appendEscaped(message.description, to: &out)
        for key in merged.keys.sorted() {
            out.append(UInt8(ascii: " "))
            Self.appendEscaped(key, to: &out)
            out.append(UInt8(ascii: "="))
            Self.appendValue(merged[key]!, key: key, to: &out)
        }
    }

    private static func appendValue(_ value: Logger.MetadataValue, key: String, to out: inout [UInt8]) {
        switch value {
        case .string(let text) where !LogRedaction.isSecret(key):
            appendScalar(text, to: &out)
        case .stringConvertible(let convertible) where !LogRedaction.isSecret(key):
            appendScalar(convertible.description, to: &out)
        default:
            // Arrays, dictionaries and redacted values: JSON is unambiguous on one line.
            JSONLineEncoder.appendValue(value, key: key, to: &out)
        }
    }

    private static func appendScalar(_ text: String, to out: inout [UInt8]) {
        let needsQuotes = text.isEmpty || text.utf8.contains { $0 <= 0x20 || $0 == 0x22 || $0 == 0x3D || $0 == 0x7F }
        if needsQuotes {
            JSONLineEncoder.appendString(text, to: &out)
        } else {
            out.append(contentsOf: Array(text.utf8))
        }
    }

    /// Messages stay readable (no quotes) but newlines and other controls become escapes.
    private static func appendEscaped(_ text: String, to out: inout [UInt8]) {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            out.append(contentsOf: Array(text.utf8))
            return
        }
        var quoted: [UInt8] = []
        JSONLineEncoder.appendString(text, to: &quoted)
        out.append(contentsOf: quoted.dropFirst().dropLast())
    }
}
