import Logging

/// Appends JSON values to a byte buffer: strings escaped per RFC 8259, metadata values with
/// secrets redacted.
///
/// Swift `String`s are always valid Unicode (invalid UTF-8 becomes U+FFFD when the string is
/// made), so copying the UTF-8 bytes and escaping `"`, `\` and the C0 controls yields valid
/// JSON for any input. DEL is escaped too so a line never carries a raw control byte.
enum JSONLineEncoder {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    static func appendString(_ string: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { bytes in
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
                case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
                case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
                case 0x00..<0x20, 0x7F:
                    out.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                            hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
                default: out.append(byte)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Writes a metadata value; `key` decides redaction, also for keys nested in dictionaries.
    static func appendValue(_ value: Logger.MetadataValue, key: String, to out: inout [UInt8]) {
        if LogRedaction.isSecret(key) {
            appendString(LogRedaction.placeholder, to: &out)
            return
        }
        switch value {
        case .string(let string):
            appendString(string, to: &out)
        case .stringConvertible(let convertible):
            appendConvertible(convertible, to: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                appendValue(element, key: "", to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .dictionary(let dictionary):
            out.append(UInt8(ascii: "{"))
            for (index, nestedKey) in dictionary.keys.sorted().enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                appendString(nestedKey, to: &out)
                out.append(UInt8(ascii: ":"))
                appendValue(dictionary[nestedKey]!, key: nestedKey, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Integers and booleans stay JSON numbers/booleans; everything else (including
    /// `ExactDecimal`, which must not lose digits in a double-parsing reader) is a string.
    private static func appendConvertible(_ value: any CustomStringConvertible & Sendable, to out: inout [UInt8]) {
        switch value {
        case let bool as Bool:
            out.append(contentsOf: Array((bool ? "true" : "false").utf8))
        case let int as any BinaryInteger:
            out.append(contentsOf: Array(String(describing: int).utf8))
        default:
            appendString(value.description, to: &out)
        }
    }
}
