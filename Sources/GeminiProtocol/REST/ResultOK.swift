/// `{"result":"ok"}`, the body of `/v1/heartbeat`.
public struct ResultOK: Sendable, Hashable, Decodable {
    public let result: String

    private enum CodingKeys: String, CodingKey { case result }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        result = try c.decode(String.self, forKey: .result)
        guard result == "ok" else {
            throw DecodingError.dataCorruptedError(forKey: .result, in: c, debugDescription: "expected \"ok\", got \"\(result)\"")
        }
    }
}
