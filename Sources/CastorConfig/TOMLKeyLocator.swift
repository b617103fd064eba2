/// Finds the line on which a key was written, for validation errors.
///
/// TOMLKit reports positions only for syntax errors, so this scans the (already valid) text
/// itself: it tracks `[table]` and `[[array]]` headers and `key =` lines, including dotted and
/// quoted keys. Keys inside an inline table resolve to the line of the table's key, and any
/// path without its own line falls back to its nearest ancestor (or header), which is always
/// where an operator should look.
struct TOMLKeyLocator {
    private var lines: [[String]: Int] = [:]

    init(text: String) {
        var current: [String] = []
        var inMultilineString = false
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = Substring(rawLine)
            let quotes = Self.count(line, "\"\"\"") + Self.count(line, "'''")
            if inMultilineString {
                if quotes % 2 == 1 { inMultilineString = false }
                continue
            }
            if quotes % 2 == 1 { inMultilineString = true }
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.hasPrefix("[") {
                let isArray = trimmed.hasPrefix("[[")
                let inner = trimmed.dropFirst(isArray ? 2 : 1)
                guard let end = Self.firstUnquoted(inner, "]") else { continue }
                current = Self.splitDotted(inner[..<end])
                record(current, lineNumber)
            } else if let equals = Self.firstUnquoted(trimmed, "=") {
                let key = Self.splitDotted(trimmed[..<equals])
                guard !key.isEmpty, !key.contains(where: \.isEmpty) else { continue }
                let full = current + key
                for depth in current.count + 1...full.count { record(Array(full[0..<depth]), lineNumber) }
            }
        }
    }

    /// The line of `path` or of its nearest ancestor that has one.
    func line(of path: [String]) -> Int? {
        var path = path
        while !path.isEmpty {
            if let line = lines[path] { return line }
            path.removeLast()
        }
        return nil
    }

    private mutating func record(_ path: [String], _ line: Int) {
        if lines[path] == nil { lines[path] = line }
    }

    private static func firstUnquoted(_ text: Substring, _ target: Character) -> Substring.Index? {
        var quote: Character?
        var index = text.startIndex
        while index < text.endIndex {
            let c = text[index]
            if let q = quote {
                if c == "\\" && q == "\"" { index = text.index(after: index) } else if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "#" {
                return nil
            } else if c == target {
                return index
            }
            if index < text.endIndex { index = text.index(after: index) }
        }
        return nil
    }

    private static func count(_ text: Substring, _ needle: String) -> Int {
        var count = 0
        var rest = text[...]
        while let range = rest.firstRange(of: needle) {
            count += 1
            rest = rest[range.upperBound...]
        }
        return count
    }

    /// `a."b.c".d` → `["a", "b.c", "d"]`.
    static func splitDotted(_ text: Substring) -> [String] {
        var parts: [String] = []
        var current = ""
        var quote: Character?
        var sawQuoted = false
        for c in text {
            if let q = quote {
                if c == q { quote = nil } else { current.append(c) }
            } else if c == "\"" || c == "'" {
                quote = c
                sawQuoted = true
            } else if c == "." {
                parts.append(current)
                current = ""
                sawQuoted = false
            } else if c != " " && c != "\t" {
                current.append(c)
            }
        }
        if !current.isEmpty || sawQuoted || !parts.isEmpty { parts.append(current) }
        return parts
    }
}
