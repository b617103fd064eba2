/// Writes JSON string literals (RFC 8259 §7): the one escaper every hand-built JSON text in
/// Castor uses (signed REST payloads, log lines, subscriptions, the simulator's replies).
///
/// Escapes `"`, `\` and the C0 controls (`\b \f \n \r \t` in their short forms, the rest as
/// `\u00XX`); everything else, including `/` and non-ASCII, is written as UTF-8 unchanged.
/// Swift `String`s are always valid Unicode, so the output is valid JSON for any input.
public enum JSONString {
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `text` as a quoted JSON string to `out`.
    /// - Parameter escapingDelete: also write DEL (0x7F) as `\u007f`, so the output never
    ///   carries a raw control byte (log lines).
    public static func append(_ text: String, to out: inout [UInt8], escapingDelete: Bool = false) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            // Paths, field names, ids and decimals need no escaping: copy them in one go
            // (payloads are built on the tick-to-order path).
            if !bytes.contains(where: { needsEscape($0, escapingDelete: escapingDelete) }) {
                out.append(contentsOf: bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
                case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
                case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
                case _ where needsEscape(byte, escapingDelete: escapingDelete):
                    out.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                            hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]])
                default: out.append(byte)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends `text` as a quoted JSON string to `out`.
    public static func append(_ text: String, to out: inout String) {
        out += quoted(text)
    }

    /// `text` as a quoted JSON string.
    public static func quoted(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 2)
        append(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    @inline(__always)
    private static func needsEscape(_ byte: UInt8, escapingDelete: Bool) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || (escapingDelete && byte == 0x7F)
    }
}
