import CastorCore

/// The simulator's seeded generator: a seed fully determines the synthetic market and the
/// random faults. SplitMix64 from CastorCore, with the two draws the simulator needs.
public typealias SimRandom = SplitMix64

extension SplitMix64 {
    /// Uniform integer in `range` (modulo bias is below 2^-40 for the small ranges used here).
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        let width = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int(next() % width)
    }

    /// True with probability `percent` / 100.
    public mutating func chance(percent: Int) -> Bool { int(in: 0...99) < percent }
}
