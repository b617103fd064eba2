import CastorCore

/// One differential-depth subscription of one connection: the level changes waiting for
/// the next 100 ms (or 1 s) batch and the `u` of the last frame, so each diff's `U` is the
/// previous frame's `u` (the overlap Gemini's frames show, WS-API.md §3.5).
struct WSAPIDepthChannel: Sendable {
    let symbol: SimSymbol
    /// `u` of the last frame sent (or the snapshot's, or the id at subscribe time).
    private(set) var lastU: Int64
    /// Id of the newest change waiting, if any.
    private var pendingU: Int64?
    /// Changed levels in first-change order (a later change of a level replaces its size).
    private var order: [Key] = []
    private var sizes: [Key: ExactDecimal] = [:]
    /// Diffs this channel produced (sent or dropped by the fault), for the every-N faults.
    private(set) var diffs = 0

    private struct Key: Hashable {
        let side: Side
        let price: ExactDecimal
    }

    init(symbol: SimSymbol, lastU: Int64) {
        self.symbol = symbol
        self.lastU = lastU
    }

    var hasPending: Bool { pendingU != nil }

    /// Notes a level's new size (as shown), changed by update `id`.
    mutating func note(side: Side, price: ExactDecimal, quantity: ExactDecimal, id: Int64) {
        let key = Key(side: side, price: price)
        if sizes.updateValue(quantity, forKey: key) == nil { order.append(key) }
        pendingU = id
    }

    /// The frames to send for the waiting changes at `eventNs`, then nothing waits: one
    /// diff `U = lastU, u = newest id`; none when `dropEvery` leaves this one out (the next
    /// frame's `U` then skips); the same frame twice when `repeatEvery` repeats it.
    mutating func flush(eventNs: Int64, dropEvery: Int, repeatEvery: Int) -> [String] {
        guard let u = pendingU else { return [] }
        var bids: [(price: ExactDecimal, quantity: ExactDecimal)] = []
        var asks: [(price: ExactDecimal, quantity: ExactDecimal)] = []
        for key in order {
            let level = (price: key.price, quantity: sizes[key] ?? .zero)
            if key.side == .buy { bids.append(level) } else { asks.append(level) }
        }
        let frame = WSAPIWireFormat.depthUpdate(symbol, eventNs: eventNs, first: lastU, last: u, bids: bids, asks: asks)
        lastU = u
        pendingU = nil
        order.removeAll(keepingCapacity: true)
        sizes.removeAll(keepingCapacity: true)
        diffs += 1
        if dropEvery > 0, diffs % dropEvery == 0 { return [] }
        if repeatEvery > 0, diffs % repeatEvery == 0 { return [frame, frame] }
        return [frame]
    }
}
