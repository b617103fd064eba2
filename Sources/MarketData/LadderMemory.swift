import Glibc
import CastorCore
import GeminiProtocol

/// One ladder slot: a level's quantity (a 64-bit mantissa and its scale) and the scale its
/// price was sent with. Meaningful only where the presence bit is set.
struct LadderSlot {
    var quantity: Int64
    var quantityScale: UInt8
    var priceScale: UInt8
}

/// The memory of one side's ladder: `width` slots, a presence bit per slot, a summary bit
/// per presence word. One anonymous mapping, zero-filled by the kernel and resident only
/// where touched.
final class LadderMemory: @unchecked Sendable {
    static let width = 1 << 16
    static let words = width >> 6
    static let summaryWords = words >> 6
    static let slotBytes = width * MemoryLayout<LadderSlot>.stride
    static let bytes = slotBytes + (words + summaryWords) * 8

    let base: UnsafeMutableRawPointer
    let slots: UnsafeMutablePointer<LadderSlot>
    let bits: UnsafeMutablePointer<UInt64>
    let summary: UnsafeMutablePointer<UInt64>

    init() {
        guard let p = mmap(nil, LadderMemory.bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              p != UnsafeMutableRawPointer(bitPattern: -1)
        else { fatalError("L2OrderBook: cannot map \(LadderMemory.bytes) bytes for a price ladder: errno \(errno)") }
        base = p
        slots = p.bindMemory(to: LadderSlot.self, capacity: LadderMemory.width)
        let b = (p + LadderMemory.slotBytes).bindMemory(to: UInt64.self, capacity: LadderMemory.words + LadderMemory.summaryWords)
        bits = b
        summary = b + LadderMemory.words
    }

    deinit { munmap(base, LadderMemory.bytes) }
}
