import ArgumentParser
import Foundation
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

    @Option(help: "legacy (market data v2, the default) or websocket: the same stream as the new WebSocket API's frames (depthUpdate with U/u overlapping per symbol, the first per symbol the snapshot; trades without e).")
    var api: String = "legacy"

    var deepShape: SyntheticL2Stream.DeepShape? {
        guard depth != nil || span != nil || tradeFraction != nil || farLevels != nil else { return nil }
        let d = depth ?? 1000
        return SyntheticL2Stream.DeepShape(depth: d, span: span ?? d * 6 / 5,
                                           tradeFraction: tradeFraction ?? 0.05, farLevels: farLevels ?? 0)
    }

    func validate() throws {
        guard api == "legacy" || api == "websocket" else { throw ValidationError("--api must be legacy or websocket, got \(api)") }
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
        let bytes = api == "websocket" ? Self.webSocketAPIFrames(stream.generate()) : stream.generate()
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

    /// The v2 stream rewritten frame for frame as the new API's: each `l2_updates` a
    /// `depthUpdate` (`b`/`a` from the changes' sides; ids from one global counter, each
    /// symbol's frames overlapping `U == previous u`, the first `U == u`), each trade a
    /// trade frame (`m`: the buyer was the maker, i.e. the taker sold). Decimals keep their
    /// text. A generation-time tool: Foundation's JSON parser is fine here.
    static func webSocketAPIFrames(_ v2: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(v2.count)
        var nextID: Int64 = 1_764_527_605_191_349
        var last: [String: Int64] = [:]
        var lastMs: Int64 = 1_624_493_666_000
        func quoted(_ s: String) -> String { "\"" + s + "\"" }
        for line in v2.split(separator: 0x0A, omittingEmptySubsequences: true) {
            // With or without the `<unix time>: ` prefix (the v2 stream has both).
            var prefix: String?
            var body = line[...]
            if line[line.startIndex] != 0x7B, let colon = line.firstIndex(of: 0x3A) {
                prefix = String(decoding: line[..<colon], as: UTF8.self)
                body = line[line.index(after: colon)...].drop { $0 == 0x20 }
            }
            guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
                  let type = object["type"] as? String, let symbol = (object["symbol"] as? String)?.lowercased() else { continue }
            if let prefix, let seconds = Double(prefix) { lastMs = Int64(seconds * 1000) }
            let ms = lastMs
            var frame = ""
            if type == "l2_updates", let changes = object["changes"] as? [[Any]] {
                var bids: [String] = [], asks: [String] = []
                for c in changes where c.count == 3 {
                    guard let side = c[0] as? String, let price = c[1] as? String, let quantity = c[2] as? String else { continue }
                    let level = "[" + quoted(price) + "," + quoted(quantity) + "]"
                    if side == "buy" { bids.append(level) } else { asks.append(level) }
                }
                nextID += Int64(1 + (changes.count % 3))
                let first = last[symbol] ?? nextID
                last[symbol] = nextID
                frame = "{\"e\":\"depthUpdate\",\"E\":\(ms * 1_000_000),\"s\":\(quoted(symbol)),\"U\":\(first),\"u\":\(nextID),"
                    + "\"b\":[" + bids.joined(separator: ",") + "],\"a\":[" + asks.joined(separator: ",") + "]}"
            } else if type == "trade", let id = object["event_id"] as? Int64 ?? (object["event_id"] as? Int).map(Int64.init),
                      let price = object["price"] as? String, let quantity = object["quantity"] as? String,
                      let side = object["side"] as? String {
                frame = "{\"E\":\(ms * 1_000_000),\"s\":\(quoted(symbol)),\"t\":\(id),\"p\":\(quoted(price)),"
                    + "\"q\":\(quoted(quantity)),\"m\":\(side == "sell")}"
            } else {
                continue
            }
            out.append(contentsOf: Array(((prefix.map { $0 + ": " } ?? "") + frame + "\n").utf8))
        }
        return out
    }
}
