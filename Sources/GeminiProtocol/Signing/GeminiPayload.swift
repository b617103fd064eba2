import CastorCore

/// The JSON payload of a private Gemini request, written as exact compact bytes.
///
/// Output: `{"request":"<path>","nonce":<nonce>,<fields in the order given>}` with no
/// whitespace, the same bytes Python's `json.dumps(…, separators=(",", ":"))` produces for
/// ASCII input. The bytes are built by hand rather than with `JSONEncoder` because what is
/// signed must be byte-identical to what is sent and key order matters for reproducibility.
public struct GeminiPayload: Sendable {
    /// The request path exactly as in the URL, e.g. `/v1/order/new` (no host, no query).
    public var path: String
    public var nonce: Nonce
    public var nonceFormat: NonceFormat
    /// Endpoint fields after `request` and `nonce`, written in this order.
    public var fields: [(name: String, value: PayloadValue)]

    public init(
        path: String,
        nonce: Nonce,
        nonceFormat: NonceFormat = .secondsWithMillis,
        fields: [(String, PayloadValue)] = []
    ) {
        self.path = path
        self.nonce = nonce
        self.nonceFormat = nonceFormat
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    /// Appends a field after the existing ones.
    public mutating func append(_ name: String, _ value: PayloadValue) {
        fields.append((name: name, value: value))
    }

    /// The compact JSON bytes to base64-encode and sign.
    public var jsonBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + path.utf8.count + fields.count * 24)
        out.append(contentsOf: #"{"request":"#.utf8)
        JSONString.append(path, to: &out)
        out.append(contentsOf: #","nonce":"#.utf8)
        out.append(contentsOf: nonce.json(nonceFormat).utf8)
        for field in fields {
            out.append(UInt8(ascii: ","))
            JSONString.append(field.name, to: &out)
            out.append(UInt8(ascii: ":"))
            Self.appendValue(field.value, to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The payload as text, for logs and tests.
    public var json: String { String(decoding: jsonBytes, as: UTF8.self) }

    static func appendValue(_ value: PayloadValue, to out: inout [UInt8]) {
        switch value {
        case .string(let text):
            JSONString.append(text, to: &out)
        case .integer(let number):
            ExactDecimal(mantissa: Int128(number)).appendText(to: &out)
        case .bool(let flag):
            out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .stringArray(let items):
            appendArray(items, to: &out) { JSONString.append($0, to: &$1) }
        case .integerArray(let items):
            appendArray(items, to: &out) { ExactDecimal(mantissa: Int128($0)).appendText(to: &$1) }
        }
    }

    private static func appendArray<T>(_ items: [T], to out: inout [UInt8], _ element: (T, inout [UInt8]) -> Void) {
        out.append(UInt8(ascii: "["))
        for (index, item) in items.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            element(item, &out)
        }
        out.append(UInt8(ascii: "]"))
    }
}

extension GeminiPayload: CustomStringConvertible {
    public var description: String { json }
}
