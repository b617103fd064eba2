/// The "did you mean" of configuration and strategy-parameter errors: the closest known
/// name to a misspelt one, shared by `CastorConfig` (keys, choices) and `CastorStrategy`
/// (parameter names, which a plug-in reports too).
public enum SpellingSuggestion {
    /// The closest of `candidates` to `key` if it is close enough to be a plausible typo.
    public static func suggestion(for key: String, among candidates: [String]) -> String? {
        let lowered = key.lowercased()
        // Abbreviations ("prod" for "production") are as common as typos.
        if lowered.count >= 3, let prefixed = candidates.first(where: { $0.hasPrefix(lowered) }) { return prefixed }
        let scored = candidates.map { ($0, editDistance(lowered, $0)) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= max(2, key.count / 3) ? best.0 : nil
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
