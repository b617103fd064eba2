import Glibc
import CastorCore
import GeminiProtocol

/// A book's state, each part in memory of its own so `L2OrderBook` reaches it by pointer.
final class BookStorage: @unchecked Sendable {
    let bids: UnsafeMutablePointer<LadderSide>
    let asks: UnsafeMutablePointer<LadderSide>
    let grid: UnsafeMutablePointer<Grid>
    let regridFloor: UnsafeMutablePointer<Int>
    let scratch: UnsafeMutablePointer<[L2OrderBook.Slot]>

    init() {
        bids = .allocate(capacity: 1)
        bids.initialize(to: LadderSide())
        asks = .allocate(capacity: 1)
        asks.initialize(to: LadderSide())
        grid = .allocate(capacity: 1)
        grid.initialize(to: .none)
        regridFloor = .allocate(capacity: 1)
        regridFloor.initialize(to: 32)
        scratch = .allocate(capacity: 1)
        scratch.initialize(to: [])
    }

    /// A deep copy: the ladders' memory is copied, not shared.
    func copy() -> BookStorage {
        let c = BookStorage()
        c.bids.pointee = bids.pointee
        c.asks.pointee = asks.pointee
        if c.bids.pointee.memory != nil { c.bids.pointee.copyMemory() }
        if c.asks.pointee.memory != nil { c.asks.pointee.copyMemory() }
        c.grid.pointee = grid.pointee
        c.regridFloor.pointee = regridFloor.pointee
        return c
    }

    deinit {
        bids.deinitialize(count: 1); bids.deallocate()
        asks.deinitialize(count: 1); asks.deallocate()
        grid.deinitialize(count: 1); grid.deallocate()
        regridFloor.deinitialize(count: 1); regridFloor.deallocate()
        scratch.deinitialize(count: 1); scratch.deallocate()
    }
}
