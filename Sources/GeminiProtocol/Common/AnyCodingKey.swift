/// A coding key for any JSON name: for objects whose keys are data (the currency codes in
/// `/v1/pubticker`'s `volume`) and for reading a field without declaring a `CodingKeys` enum.
public struct AnyCodingKey: CodingKey, Hashable, Sendable {
    public let stringValue: String
    public let intValue: Int?

    public init(_ string: String) { self.stringValue = string; self.intValue = nil }
    public init?(stringValue: String) { self.init(stringValue) }
    public init?(intValue: Int) { self.stringValue = String(intValue); self.intValue = intValue }
}
