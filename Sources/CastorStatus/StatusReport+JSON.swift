import Foundation

extension StatusReport {
    /// One JSON object, snake_case keys (each type's `CodingKeys`), sorted, on one line (`castor status --json`).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Reads what `json()` wrote.
    public init(json: String) throws {
        let decoder = JSONDecoder()
        self = try decoder.decode(StatusReport.self, from: Data(json.utf8))
    }
}
