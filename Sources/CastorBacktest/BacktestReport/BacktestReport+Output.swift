import CastorCore

extension BacktestReport {
    /// The `--format json` report: one object, keys in a fixed order, decimals as strings.
    /// `timing: false` leaves out `wall_seconds` and `messages_per_second` (the only
    /// figures that depend on the machine), so equal runs give equal bytes.
    public func json(timing: Bool = true) -> String {
        func q(_ s: String) -> String { JSON.quoted(s) }
        func d(_ x: ExactDecimal) -> String { q(x.normalized.description) }
        var out = "{"
        var first = true
        func field(_ key: String, _ value: String) {
            out += (first ? "" : ", ") + q(key) + ": " + value
            first = false
        }
        field("strategy", q(strategy))
        field("messages", "\(messages)")
        field("lines", "\(lines)")
        field("skipped", "\(skipped)")
        field("malformed", "\(malformed)")
        if let firstMalformed { field("first_malformed", q(firstMalformed)) }
        field("not_applied", "\(notApplied)")
        field("seconds", q(Self.seconds(virtualMs)))
        if timing {
            field("wall_seconds", q(Self.fixed(wallSeconds, places: 6)))
            field("messages_per_second", "\(Int(messagesPerSecond))")
        }
        field("orders", "\(orders)")
        field("fills", "\(fills)")
        field("fees", d(fees))
        field("pnl", "{\"realized\": \(d(realized)), \"unrealized\": \(d(unrealized)), \"total\": \(d(total))}")
        field("max_drawdown", d(maxDrawdown))
        field("final_position", "{" + symbols.map { "\(q($0.symbol.rawValue)): \(d($0.position))" }.joined(separator: ", ") + "}")
        field("symbols", "{" + symbols.map { s in
            var o = "\(q(s.symbol.rawValue)): {\"quote\": \(q(s.quote)), \"orders\": \(s.orders), \"fills\": \(s.fills), "
            o += "\"maker_fills\": \(s.makerFills), \"taker_fills\": \(s.takerFills), \"volume\": \(d(s.volume)), "
            o += "\"fees\": \(d(s.fees)), \"realized\": \(d(s.realized)), \"unrealized\": \(d(s.unrealized)), "
            o += "\"position\": \(d(s.position)), \"mark\": \(s.mark.map(d) ?? "null")"
            if s.overflowed { o += ", \"overflowed\": true" }
            return o + "}"
        }.joined(separator: ", ") + "}")
        let v = venueCounters
        field("venue", "{\"placed\": \(v.placed), \"cancelled\": \(v.cancelled), \"unfilled_immediate\": \(v.unfilledImmediate), "
              + "\"fills\": \(v.fills), \"maker_fills\": \(v.makerFills), \"taker_fills\": \(v.takerFills), "
              + "\"ledger_matches_venue\": \(ledgerMatchesVenue)}")
        field("fill_model", "{\"latency_ms\": \(settings.latencyMs), \"maker_fee_bps\": \(d(settings.makerFeeBps)), "
              + "\"taker_fee_bps\": \(d(settings.takerFeeBps))}")
        if let stopError { field("stop_error", q(stopError)) }
        return out + "}"
    }

    /// The `--format text` report: a short table.
    public func text(timing: Bool = true) -> String {
        var lines: [String] = []
        func n(_ x: ExactDecimal) -> String { x.normalized.description }
        func row(_ k: String, _ v: String) { lines.append(k.padded(to: 20) + v) }
        row("strategy", strategy)
        row("messages", "\(messages) (lines \(self.lines), skipped \(skipped), malformed \(malformed))")
        if let firstMalformed { row("first malformed", firstMalformed) }
        row("virtual seconds", Self.seconds(virtualMs))
        if timing { row("wall seconds", "\(Self.fixed(wallSeconds, places: 3))  (\(Int(messagesPerSecond)) messages/s)") }
        row("orders / fills", "\(orders) / \(fills)  (maker \(venueCounters.makerFills), taker \(venueCounters.takerFills))")
        row("fees", n(fees))
        row("pnl", "realized \(n(realized))  unrealized \(n(unrealized))  total \(n(total))")
        row("max drawdown", n(maxDrawdown))
        row("fill model", "latency \(settings.latencyMs) ms, maker \(settings.makerFeeBps) bps, taker \(settings.takerFeeBps) bps")
        if !ledgerMatchesVenue { row("WARNING", "the engine's ledger and the venue's fills differ") }
        if let stopError { row("stop", stopError) }
        if !symbols.isEmpty {
            lines.append("")
            let header = ["symbol", "orders", "fills", "volume", "fees", "realized", "unrealized", "position", "mark"]
            var table = [header]
            for s in symbols {
                table.append([s.symbol.rawValue, "\(s.orders)", "\(s.fills)", n(s.volume), n(s.fees), n(s.realized),
                              n(s.unrealized), n(s.position), s.mark.map(n) ?? "-"])
            }
            let widths = header.indices.map { c in table.map { $0[c].count }.max() ?? 0 }
            for r in table {
                lines.append(r.enumerated().map { $0.element.padded(to: widths[$0.offset] + 2) }
                    .joined().trimmingTrailingSpaces())
            }
        }
        return lines.joined(separator: "\n")
    }

    /// `value` with exactly `places` decimals (timing figures only).
    static func fixed(_ value: Double, places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let units = Int64((max(0, value) * scale).rounded())
        let whole = units / Int64(scale), frac = units % Int64(scale)
        let f = String(frac)
        return places == 0 ? "\(whole)" : "\(whole)." + String(repeating: "0", count: places - f.count) + f
    }
}

extension String {
    fileprivate func padded(to n: Int) -> String {
        count >= n ? self : self + String(repeating: " ", count: n - count)
    }

    fileprivate func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}

/// JSON string quoting.
enum JSON {
    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += "\\u" + String(repeating: "0", count: 4 - String(u.value, radix: 16).count) + String(u.value, radix: 16) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
