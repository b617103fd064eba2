import ArgumentParser
import Glibc
import MarketData

/// `castor-bench synth-l2`: writes a deterministic synthetic market data v2 recording for the
/// replay benchmark (a developer tool, not an operator one, so not in `castor`):
/// `castor-bench synth-l2 --messages 200000 --output /tmp/l2.txt && castor replay /tmp/l2.txt`.
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

    @Option(help: "Output file.")
    var output: String

    func validate() throws {
        guard messages > 0 else { throw ValidationError("--messages must be positive, got \(messages)") }
        guard (1...1000).contains(symbols) else { throw ValidationError("--symbols must be 1...1000, got \(symbols)") }
    }

    func run() throws {
        let bytes = SyntheticL2Stream(messages: messages, symbols: symbols, seed: seed).generate()
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
