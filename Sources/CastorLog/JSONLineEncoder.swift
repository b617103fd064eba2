import CastorCore
import Logging

/// Appends JSON values to a byte buffer: strings escaped per RFC 8259, metadata values with
/// secrets redacted.
///
/// Swift `String`s are always valid Unicode (invalid UTF-8 becomes U+FFFD when the string is
/// made), so copying the UTF-8 bytes and escaping `"`, `\` and the C0 controls yields valid
/// JSON for any input. DEL is escaped too so a line never carries a raw control byte.
enum JSONLineEncoder {
    /// Log lines escape DEL too, so a line never carries a raw control byte.
    static func appendString(_ string: String, to out: inout [UInt8]) {
        JSONString.append(string, to: &out, escapingDelete: true)
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
            out.append(contentsOf: (bool ? "true" : "false").utf8)
        case let int as any BinaryInteger:
            out.append(contentsOf: String(describing: int).utf8)
        default:
            appendString(value.description, to: &out)
        }
    }
}
