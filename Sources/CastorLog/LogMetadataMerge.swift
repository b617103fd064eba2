import Logging

/// Metadata merging shared by the JSON and text handlers.
enum LogMetadataMerge {
    static let reserved: Set<String> = ["ts", "level", "msg", "component"]

    /// The component a line is attributed to: a string `component` metadata value (removed
    /// from `merged`, so it is not written twice), else the logger label.
    static func takeComponent(from merged: inout Logger.Metadata, label: String) -> String {
        switch merged["component"] {
        case .string(let s)?:
            merged["component"] = nil
            return s
        case .stringConvertible(let c)?:
            merged["component"] = nil
            return c.description
        default:
            return label
        }
    }

    /// Later sources win; a thrown error rides along as `error` unless metadata already has one.
    static func merge(_ handler: Logger.Metadata, _ provider: Logger.MetadataProvider?,
                      _ call: Logger.Metadata?, error: (any Error)?) -> Logger.Metadata {
        var merged = handler
        if let provided = provider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, new in new }
        }
        if let call, !call.isEmpty {
            merged.merge(call) { _, new in new }
        }
        if let error, merged["error"] == nil {
            merged["error"] = .string(String(describing: error))
        }
        return merged
    }
}
