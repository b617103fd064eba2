/// The seeded generator behind backoff jitter (SplitMix64, shared with the simulator).
public typealias SeededRandom = SplitMix64
