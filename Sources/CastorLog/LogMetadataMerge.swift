import Logging

/// Metadata merging shared by the JSON and text handlers.
///
/// A line's fields are built as one array sorted by key (the order both layouts write),
/// not as a merged dictionary: hashing every key into a fresh dictionary and sorting its
/// keys again cost about 10,000 instructions a line.
enum LogMetadataMerge {
    /// One field of a line.
    typealias Field = (key: String, value: Logger.MetadataValue)

    static let reserved: Set<String> = ["ts", "level", "msg", "component"]

    /// The fields of a line, sorted by key, one per key: later sources win (handler, then
    /// the provider's metadata, then the call's); a thrown error's text rides along as
    /// `error` unless metadata already has one.
    static func fields(_ handler: Logger.Metadata, _ provided: Logger.Metadata,
                       _ call: Logger.Metadata?, errorText: String?) -> [Field] {
        let call = call ?? [:]
        // Candidates in source order (handler, provider, call); indices into them are sorted
        // (by key, then source), not the candidates themselves: moving an Int is free, moving
        // a key and a metadata value is two retains and two releases.
        var keys: [String] = []
        var values: [Logger.MetadataValue] = []
        let count = handler.count + provided.count + call.count
        keys.reserveCapacity(count)
        values.reserveCapacity(count)
        for (key, value) in handler { keys.append(key); values.append(value) }
        for (key, value) in provided { keys.append(key); values.append(value) }
        for (key, value) in call { keys.append(key); values.append(value) }
        var order = Array(0..<keys.count)
        keys.withUnsafeBufferPointer { k in
            order.sort { a, b in k[a] != k[b] ? k[a] < k[b] : a < b }
        }
        var fields: [Field] = []
        fields.reserveCapacity(keys.count + 1)
        for index in order {
            if let last = fields.last, last.key == keys[index] {
                fields[fields.count - 1].value = values[index]
            } else {
                fields.append((keys[index], values[index]))
            }
        }
        if let errorText, !fields.contains(where: { $0.key == "error" }) {
            let index = fields.firstIndex { $0.key > "error" } ?? fields.count
            fields.insert(("error", .string(errorText)), at: index)
        }
        return fields
    }

    /// Fields from one metadata dictionary (a line made outside a handler).
    static func fields(_ metadata: Logger.Metadata) -> [Field] {
        metadata.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// The component a line is attributed to: a string `component` field (removed from
    /// `fields`, so it is not written twice), else the logger label.
    static func takeComponent(from fields: inout [Field], label: String) -> String {
        guard let index = fields.firstIndex(where: { $0.key == "component" }) else { return label }
        switch fields[index].value {
        case .string(let s):
            fields.remove(at: index)
            return s
        case .stringConvertible(let c):
            fields.remove(at: index)
            return c.description
        default:
            return label
        }
    }

    /// The fields as a dictionary (for the tap).
    static func metadata(_ fields: [Field]) -> Logger.Metadata {
        var metadata = Logger.Metadata(minimumCapacity: fields.count)
        for field in fields { metadata[field.key] = field.value }
        return metadata
    }
}
