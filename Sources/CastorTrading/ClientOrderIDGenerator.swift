import CastorCore

/// Makes client order ids `<prefix>-<boot>-<counter>`, unique across restarts.
///
/// Uniqueness has two independent legs: the boot token differs between runs (derive it
/// from the start time with `bootToken(startTimeMilliseconds:)`), and the counter resumes
/// after the last one the journal recorded. Either alone prevents a collision after a
/// restart; together they survive a clock jump *or* a lost journal tail. The prefix and
/// boot token are alphanumeric so the id splits unambiguously on `-` (see `parse`).
public struct ClientOrderIDGenerator: Sendable {
    public let prefix: String
    public let boot: String
    /// The last counter handed out (or restored from the journal).
    public private(set) var lastCounter: UInt64

    public enum ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
        case invalidPrefix(String)
        case invalidBootToken(String)
        /// Prefix and boot token leave fewer than `minimumCounterDigits` characters.
        case tooLong(prefix: String, boot: String)
        /// The counter no longer fits in 36 characters.
        case exhausted

        public var description: String {
            switch self {
            case .invalidPrefix(let p): "client order id prefix '\(p)' must be 1+ characters of [a-zA-Z0-9]"
            case .invalidBootToken(let b): "boot token '\(b)' must be 1+ characters of [a-zA-Z0-9]"
            case .tooLong(let p, let b): "prefix '\(p)' and boot token '\(b)' leave no room for a 12-digit counter"
            case .exhausted: "client order id counter exhausted"
            }
        }
    }

    /// Room always left for the counter (10^12 ids per boot).
    public static let minimumCounterDigits = 12

    /// - Parameters:
    ///   - prefix: the daemon's tag, alphanumeric (e.g. `"cx"`).
    ///   - boot: a per-start token, alphanumeric (e.g. `bootToken(startTimeMilliseconds:)`).
    ///   - lastCounter: the highest counter already used (from the journal), 0 if none.
    public init(prefix: String, boot: String, lastCounter: UInt64 = 0) throws(ConfigurationError) {
        guard ClientOrderIDGenerator.isAlphanumeric(prefix) else { throw .invalidPrefix(prefix) }
        guard ClientOrderIDGenerator.isAlphanumeric(boot) else { throw .invalidBootToken(boot) }
        guard prefix.utf8.count + boot.utf8.count + 2 + Self.minimumCounterDigits <= ClientOrderID.maxLength else {
            throw .tooLong(prefix: prefix, boot: boot)
        }
        self.prefix = prefix
        self.boot = boot
        self.lastCounter = lastCounter
    }

    /// The next id; never repeats for this generator.
    public mutating func next() throws(ConfigurationError) -> ClientOrderID {
        guard lastCounter < UInt64.max else { throw .exhausted }
        let counter = lastCounter + 1
        let raw = "\(prefix)-\(boot)-\(counter)"
        guard let id = ClientOrderID(raw) else { throw .exhausted }
        lastCounter = counter
        return id
    }

    /// Base-36 of the start time in milliseconds (8 characters until the year 2059).
    public static func bootToken(startTimeMilliseconds: Int64) -> String {
        String(UInt64(max(0, startTimeMilliseconds)), radix: 36)
    }

    /// The client order id prefix of one instance: `base` and five base-36 characters of a
    /// hash of the API key (`"cx"` alone without a key).
    ///
    /// Several instances may trade one account, each with its own key, and the account's
    /// open orders, order events and trades reach all of them. The key is what the exchange
    /// ties orders to (its "session": cancel-session cancels that key's orders), so the
    /// prefix carries it: an instance only cancels, adopts and counts orders with its own
    /// prefix. The hash is FNV-1a (stable across processes, unlike `Hasher`); the key is
    /// not secret, but only 25 bits of its hash appear. Two keys share a tag with odds of
    /// about 1 in 30 million.
    public static func instancePrefix(base: String, apiKey: String?) -> String {
        guard let apiKey, !apiKey.isEmpty else { return base }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in apiKey.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let tag = String(hash % 60_466_176, radix: 36)  // 36^5
        return base + String(repeating: "0", count: 5 - tag.count) + tag
    }

    /// Splits an id this scheme produced; nil for anything else (UI orders, other bots).
    public static func parse(_ id: ClientOrderID) -> (prefix: String, boot: String, counter: UInt64)? {
        let parts = id.rawValue.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, let counter = UInt64(parts[2]),
              isAlphanumeric(String(parts[0])), isAlphanumeric(String(parts[1])) else { return nil }
        return (String(parts[0]), String(parts[1]), counter)
    }

    /// True when `id` was made by a generator with this prefix (any boot).
    public func isOurs(_ id: ClientOrderID) -> Bool {
        ClientOrderIDGenerator.parse(id)?.prefix == prefix
    }

    static func isAlphanumeric(_ s: String) -> Bool {
        !s.isEmpty && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }
}
