/// A set that remembers at most `capacity` keys and forgets the oldest first.
///
/// For what the order manager keeps only to recognise late messages about orders that are
/// already finished (their order ids, the unknown orders it has reported): a daemon that
/// runs for months must not grow with every order it ever saw. The journal is the record;
/// this is a bounded memory of the recent past.
struct RecentKeys<Key: Hashable & Sendable>: Sendable {
    let capacity: Int
    private var members: Set<Key> = []
    /// Insertion order, as a ring once full.
    private var ring: [Key] = []
    private var oldest = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var count: Int { members.count }

    func contains(_ key: Key) -> Bool { members.contains(key) }

    /// Adds `key`; returns whether it was new, and the key forgotten to make room, if any.
    @discardableResult
    mutating func insert(_ key: Key) -> (inserted: Bool, evicted: Key?) {
        guard members.insert(key).inserted else { return (false, nil) }
        if ring.count < capacity {
            ring.append(key)
            return (true, nil)
        }
        let evicted = ring[oldest]
        members.remove(evicted)
        ring[oldest] = key
        oldest = (oldest + 1) % capacity
        return (true, evicted)
    }
}
