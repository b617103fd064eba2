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
                                  fields: [(key: String, value: Logger.MetadataValue)], timestamp: LogTimestamp, to out: inout [UInt8]) {
        timestamp.append(to: &out, iso: false)
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: Self.levelColumn(level).utf8)
        out.append(UInt8(ascii: " "))
        Self.appendEscaped(component, to: &out)
        out.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: " ")])
        Self.appendEscaped(message.description, to: &out)
        for (key, value) in fields {
            out.append(UInt8(ascii: " "))
            Self.appendEscaped(key, to: &out)
            out.append(UInt8(ascii: "="))
            Self.appendValue(value, key: key, to: &out)
        }
    }

    /// The level upper-cased and padded to five columns (`INFO `, `WARNING`).
    private static func levelColumn(_ level: Logger.Level) -> String {
        switch level {
        case .trace: "TRACE"
        case .debug: "DEBUG"
        case .info: "INFO "
        case .notice: "NOTICE"
        case .warning: "WARNING"
        case .error: "ERROR"
        case .critical: "CRITICAL"
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
        // Native strings are scanned and copied as one buffer (every value of every line).
        let plain: Bool? = text.utf8.withContiguousStorageIfAvailable { bytes in
            guard !bytes.isEmpty, !bytes.contains(where: { $0 <= 0x20 || $0 == 0x22 || $0 == 0x3D || $0 == 0x7F }) else { return false }
            out.append(contentsOf: bytes)
            return true
        }
        switch plain {
        case true?: return
        case false?: JSONLineEncoder.appendString(text, to: &out)
        case nil:
            let needsQuotes = text.isEmpty || text.utf8.contains { $0 <= 0x20 || $0 == 0x22 || $0 == 0x3D || $0 == 0x7F }
            if needsQuotes { JSONLineEncoder.appendString(text, to: &out) } else { out.append(contentsOf: text.utf8) }
        }
    }

    /// Messages stay readable (no quotes) but newlines and other controls become escapes.
    private static func appendEscaped(_ text: String, to out: inout [UInt8]) {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            out.append(contentsOf: text.utf8)
            return
        }
        var quoted: [UInt8] = []
        JSONLineEncoder.appendString(text, to: &quoted)
        out.append(contentsOf: quoted.dropFirst().dropLast())
    }
}
