import Foundation

extension ExactDecimal: Codable {
    /// Accepts a JSON string (`"3633.00"`, how Gemini sends decimals) or a JSON number
    /// (`1e-8`, how it sends `tick_size` and candles). Numbers go through Foundation's
    /// `Decimal`, which JSONDecoder builds from the number's digits, not from a `Double`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard let value = ExactDecimal(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a decimal number")
            }
            self = value
            return
        }
        let number = try container.decode(Decimal.self)
        guard number.isFinite, let value = ExactDecimal(number.description) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "number \(number) is not representable exactly")
        }
        self = value
    }

    /// Encodes as a JSON string, the form Gemini expects for decimals.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
