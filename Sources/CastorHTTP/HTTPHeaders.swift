/// Response header fields in the order the server sent them.
///
/// Lookup is case-insensitive (HTTP field names are; HTTP/2 sends them lower-case).
/// Only the final response's fields are kept: those of interim 1xx responses are dropped.
public struct HTTPHeaders: Sendable, Sequence {
    public private(set) var fields: [(name: String, value: String)]

    public init(_ fields: [(name: String, value: String)] = []) {
        self.fields = fields
    }

    /// The first value of the named field, or nil.
    public subscript(name: String) -> String? {
        fields.first { Self.sameName($0.name, name) }?.value
    }

    /// Every value of the named field, in order.
    public func values(for name: String) -> [String] {
        fields.filter { Self.sameName($0.name, name) }.map(\.value)
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    mutating func append(name: String, value: String) {
        fields.append((name, value))
    }

    mutating func removeAll() {
        fields.removeAll(keepingCapacity: true)
    }

    /// ASCII case folding without allocating: field names are tokens, never non-ASCII.
    private static func sameName(_ a: String, _ b: String) -> Bool {
        let x = a.utf8, y = b.utf8
        guard x.count == y.count else { return false }
        return zip(x, y).allSatisfy { p, q in
            p == q || (p | 0x20 == q | 0x20 && (p | 0x20) >= 0x61 && (p | 0x20) <= 0x7A)
        }
    }
}
