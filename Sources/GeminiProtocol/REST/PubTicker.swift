import CastorCore

/// `/v1/pubticker/{symbol}`: best bid/ask, last price and 24 h volume (§3.11).
public struct PubTicker: Sendable, Hashable, Decodable {
    public let bid: ExactDecimal?
    public let ask: ExactDecimal?
    public let last: ExactDecimal?
    /// 24 h volume per currency of the pair: the JSON keys are the currency codes
    /// (`"BTC"`, `"USDT"`, `"GUSD"`), so they are data, not a fixed schema.
    public let volume: [String: ExactDecimal]
    /// Milliseconds; a number in the docs, a string in ccxt's 2024 recording.
    public let volumeTimestampMilliseconds: Int64?

    private enum CodingKeys: String, CodingKey { case bid, ask, last, volume }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        bid = try c.decodeIfPresent(ExactDecimal.self, forKey: .bid)
        ask = try c.decodeIfPresent(ExactDecimal.self, forKey: .ask)
        last = try c.decodeIfPresent(ExactDecimal.self, forKey: .last)
        var volume: [String: ExactDecimal] = [:]
        var timestamp: Int64?
        if c.contains(.volume), try !c.decodeNil(forKey: .volume) {
            let v = try c.nestedContainer(keyedBy: AnyCodingKey.self, forKey: .volume)
            for key in v.allKeys {
                if key.stringValue == "timestamp" {
                    timestamp = try v.decodeFlexibleInt64IfPresent(key)
                } else {
                    volume[key.stringValue] = try v.decode(ExactDecimal.self, forKey: key)
                }
            }
        }
        self.volume = volume
        self.volumeTimestampMilliseconds = timestamp
    }
}
