import CastorCore

/// Where the tick-to-order time goes: each sample's relay stamps joined with the engine's
/// `TickTrace` record of the same order, as per-stage percentiles.
///
/// A record belongs to the sample whose frame was written before the record's `.message`
/// stamp and whose order reached the relay after its `.encoded` stamp; samples without such
/// a record (an order placed from another message than the one stamped last) are left out
/// of the table. The kernel stamps the order's arrival inside the engine's write call, so
/// the `.written` stamp (after the call returned) is later than it and is not a boundary.
struct LatencyStages {
    struct Row {
        let key: String
        let meaning: String
        let p50: Double
        let p99: Double
    }

    let rows: [Row]
    let matched: Int
    /// Orders the engine stamped.
    let records: Int

    init(pairs: [(frameNs: UInt64, orderInNs: UInt64, orderReadNs: UInt64)], records: [TickTrace.Record]) {
        typealias S = TickTrace.Stage
        // Stage boundaries, in path order; a record's missing stamp (0) is skipped over.
        let edges: [(String, String)] = [
            ("wake_read_frame", "relay wrote the frame → whole message at the adapter (Dispatch wake-up, read, WebSocket framing)"),
            ("decode_apply", "decode + book update"),
            ("deliver", "engine: status, book view, strategy queue"),
            ("strategy_risk", "strategy, risk, order manager"),
            ("schedule", "order actions → the key's request queue → venue client"),
            ("encode", "request built (socket: order.place frame; REST: nonce, HMAC, headers)"),
            ("write", "write call until the kernel queued the bytes at the relay (socket: wslay framing + send; REST: libcurl)"),
            ("relay_wake", "relay thread woke and read it (not in p50_us)"),
        ]
        var deltas = [[UInt64]](repeating: [], count: edges.count)
        var matched = 0
        var used = Set<Int>()
        for record in records {
            let message = record.stamp(.message)
            guard message > 0 else { continue }
            let last = [S.encoded, .dispatched, .admitted].map { record.stamp($0) }.first { $0 > 0 } ?? message
            // The latest frame written before the engine had the message.
            guard let index = pairs.indices.filter({ pairs[$0].frameNs <= message && pairs[$0].orderInNs >= last })
                .max(by: { pairs[$0].frameNs < pairs[$1].frameNs }), !used.contains(index) else { continue }
            used.insert(index)
            matched += 1
            let pair = pairs[index]
            var points: [UInt64?] = [pair.frameNs]
            for stage in S.allCases where stage != .written { let s = record.stamp(stage); points.append(s > 0 ? s : nil) }
            points.append(pair.orderInNs)
            points.append(pair.orderReadNs)
            // points: frame, message, applied, strategy, admitted, dispatched, encoded, in, read
            for e in 0..<edges.count {
                guard let to = points[e + 1] else { continue }
                guard let from = points[...e].reversed().compactMap({ $0 }).first, to >= from else { continue }
                deltas[e].append(to - from)
            }
        }
        self.matched = matched
        self.records = records.count
        rows = edges.enumerated().map { e, edge in
            let sorted = deltas[e].sorted()
            return Row(key: edge.0, meaning: edge.1, p50: LatencyCommand.percentileMicros(sorted, 0.50),
                       p99: LatencyCommand.percentileMicros(sorted, 0.99))
        }
    }

    /// The table `castor-bench latency` prints.
    func report() -> [String] {
        var lines = ["where the time goes (\(matched) of \(records) orders' stage stamps matched to samples; stage p50s do not add up to the total's):"]
        for row in rows {
            let p50 = row.p50.isFinite ? String(format: "%7.1f", row.p50) : "      -"
            let p99 = row.p99.isFinite ? String(format: "%7.1f", row.p99) : "      -"
            lines.append("  \(row.key.padding(toLength: 16, withPad: " ", startingAt: 0)) p50 \(p50) µs  p99 \(p99) µs  \(row.meaning)")
        }
        return lines
    }
}
