extension String {
    /// `HTTP/1.1 400 Bad Request` → 400.
    var statusCode: Int? {
        let parts = split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1.") else { return nil }
        return Int(parts[1])
    }
}
