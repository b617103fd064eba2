import Foundation

/// A JSON value together with its exact source text.
///
/// The fixture files hold real payloads; re-serialising them through `JSONSerialization`
/// would round numbers through `Double` (`7781.6`, `1e-08`, ids > 2^53) and hide exactly the
/// bugs the decoders must not have. This parser only finds value boundaries, so each
/// payload is fed to the decoders byte for byte as it appears in the file.
struct RawJSON {
    indirect enum Value {
        case object([(key: String, value: RawJSON)])
        case array([RawJSON])
        case string(String)
        case scalar
    }

    let value: Value
    /// The value's exact text in the fixture file.
    let text: String

    subscript(key: String) -> RawJSON? {
        if case .object(let members) = value { return members.first { $0.key == key }?.value }
        return nil
    }

    var members: [(key: String, value: RawJSON)] {
        if case .object(let members) = value { return members }
        return []
    }

    var elements: [RawJSON] {
        if case .array(let elements) = value { return elements }
        return []
    }

    var stringValue: String? {
        if case .string(let s) = value { return s }
        return nil
    }

    var isArray: Bool { if case .array = value { true } else { false } }
    var isObject: Bool { if case .object = value { true } else { false } }

    struct ParseError: Error, CustomStringConvertible {
        let offset: Int
        let description: String
    }

    static func parse(_ text: String) throws -> RawJSON {
        var parser = Parser(bytes: Array(text.utf8))
        let value = try parser.value()
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw ParseError(offset: parser.index, description: "trailing data") }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        mutating func skipWhitespace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func value() throws -> RawJSON {
            skipWhitespace()
            guard index < bytes.count else { throw ParseError(offset: index, description: "unexpected end") }
            let start = index
            let parsed: Value
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var members: [(key: String, value: RawJSON)] = []
                skipWhitespace()
                if bytes[index] == UInt8(ascii: "}") { index += 1 } else {
                    while true {
                        let key = try value()
                        guard case .string(let name) = key.value else { throw ParseError(offset: index, description: "key") }
                        skipWhitespace()
                        try expect(":")
                        members.append((name, try value()))
                        skipWhitespace()
                        if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                        try expect("}")
                        break
                    }
                }
                parsed = .object(members)
            case UInt8(ascii: "["):
                index += 1
                var elements: [RawJSON] = []
                skipWhitespace()
                if bytes[index] == UInt8(ascii: "]") { index += 1 } else {
                    while true {
                        elements.append(try value())
                        skipWhitespace()
                        if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                        try expect("]")
                        break
                    }
                }
                parsed = .array(elements)
            case UInt8(ascii: "\""):
                index += 1
                while bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                index += 1
                let literal = Data(bytes[start..<index])
                parsed = .string(try JSONDecoder().decode(String.self, from: literal))
            default:
                while index < bytes.count, !",]} \t\r\n".utf8.contains(bytes[index]) { index += 1 }
                parsed = .scalar
            }
            return RawJSON(value: parsed, text: String(decoding: bytes[start..<index], as: UTF8.self))
        }

        mutating func expect(_ character: Character) throws {
            guard index < bytes.count, bytes[index] == character.asciiValue! else {
                throw ParseError(offset: index, description: "expected \(character)")
            }
            index += 1
        }
    }
}
