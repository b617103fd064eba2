import TOMLKit

/// A TOML value copied out of TOMLKit into plain Swift values.
///
/// TOMLKit's classes wrap toml++ nodes and are neither `Sendable` nor cheap to query; copying
/// once keeps the C++ tree confined to `parse` and lets validation pattern-match.
indirect enum ConfigNode: Sendable, Hashable {
    case table([String: ConfigNode])
    case array([ConfigNode])
    case string(String)
    case integer(Int)
    case float(Double)
    case bool(Bool)
    /// Dates and times: valid TOML, but no Castor key takes one.
    case dateTime(String)

    init(_ value: any TOMLValueConvertible) {
        switch value.type {
        case .table:
            var entries: [String: ConfigNode] = [:]
            if let table = value.table {
                for key in table.keys { if let child = table[key] { entries[key] = ConfigNode(child) } }
            }
            self = .table(entries)
        case .array:
            self = .array(value.array.map { $0.map(ConfigNode.init) } ?? [])
        case .string: self = .string(value.string ?? "")
        case .int: self = .integer(value.int ?? 0)
        case .double: self = .float(value.double ?? 0)
        case .bool: self = .bool(value.bool ?? false)
        case .date, .time, .dateTime: self = .dateTime(value.debugDescription)
        }
    }

    /// How an error message names this value's type.
    var typeName: String {
        switch self {
        case .table: "a table"
        case .array: "an array"
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .bool: "a boolean"
        case .dateTime: "a date/time"
        }
    }
}
