import ArgumentParser
import Glibc
import MarketData

/// `castor-bench synth-l2`: writes a deterministic synthetic market data v2 recording for the
/// replay benchmark (a developer tool, not an operator one, so not in `castor`):
/// `castor-bench synth-l2 --messages 200000 --output /tmp/l2.txt && castor replay /tmp/l2.txt`.
/// Without `--depth`, `--span`, `--trade-fraction` or `--far-levels` it writes issue 2's
/// stream (~100 levels a side, updates near the touch); with any of them, the deep shape:
/// `--depth 3000 --span 4000 --trade-fraction 0.25 --symbols 3` is three books of 3,000
/// levels a side updated anywhere within 4,000 ticks of the touch, a quarter of the
/// messages trades.
struct SynthL2Command: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth-l2",
        abstract: "Write a deterministic synthetic market data v2 stream (benchmark input)."
    )

    @Option(help: "Number of lines (messages) to write.")
    var messages: Int = 200_000

    @Option(help: "Number of symbols.")
    var symbols: Int = 4

    @Option(help: "Random seed; the same seed gives the same bytes.")
    var seed: UInt64 = 1

    @Option(help: "Deep shape: levels a side (default 1000 when another deep option is given).")
    var depth: Int?

    @Option(help: "Deep shape: updates land within this many ticks of the touch (default depth × 6 / 5).")
    var span: Int?

    @Option(help: "Deep shape: fraction of messages that are trades, 0...1 (default 0.05).")
    var tradeFraction: Double?

    @Option(help: "Deep shape: levels a side far from the touch (10 %–90 % of the price away; default 0).")
    var farLevels: Int?

    @Option(help: "Output file.")
    var output: String

    var deepShape: SyntheticL2Stream.DeepShape? {
        guard depth != nil || span != nil || tradeFraction != nil || farLevels != nil else { return nil }
        let d = depth ?? 1000
        return SyntheticL2Stream.DeepShape(depth: d, span: span ?? d * 6 / 5,
                                           tradeFraction: tradeFraction ?? 0.05, farLevels: farLevels ?? 0)
    }

    func validate() throws {
        guard messages > 0 else { throw ValidationError("--messages must be positive, got \(messages)") }
        guard (1...1000).contains(symbols) else { throw ValidationError("--symbols must be 1...1000, got \(symbols)") }
        if let depth, !(1...100_000).contains(depth) { throw ValidationError("--depth must be 1...100000, got \(depth)") }
        if let span, !(1...1_000_000).contains(span) { throw ValidationError("--span must be 1...1000000, got \(span)") }
        if let tradeFraction, !(0...1).contains(tradeFraction) {
            throw ValidationError("--trade-fraction must be 0...1, got \(tradeFraction)")
        }
        if let farLevels, !(0...10_000).contains(farLevels) { throw ValidationError("--far-levels must be 0...10000, got \(farLevels)") }
    }

    func run() throws {
        var stream = SyntheticL2Stream(messages: messages, symbols: symbols, seed: seed)
        stream.deep = deepShape
        let bytes = stream.generate()
        guard let f = fopen(output, "wb") else {
            throw ValidationError("cannot write \(output): \(String(cString: strerror(errno)))")
        }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
        let closed = fclose(f)
        guard written == bytes.count, closed == 0 else {
            throw ValidationError("cannot write \(output): \(String(cString: strerror(errno)))")
        }
        print("wrote \(messages) messages, \(bytes.count) bytes to \(output)")
    }
}
