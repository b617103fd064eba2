import CastorCore
import GeminiProtocol

/// Writes a ``CastorConfiguration`` back as TOML: every key with the value in force, defaults
/// included, in the order of `examples/castor.toml`. `castor show-config` prints it.
///
/// The output parses back to the same configuration (tested), so an operator can save it as
/// a starting file. Nothing secret is in a configuration, but an alert webhook's path often
/// carries the receiver's token (Slack, Discord): only its scheme and host are shown.
public enum ConfigurationTOMLWriter {
    /// A strategy parameter the file does not set, shown under `[strategy.params]` with the
    /// default the strategy will use (commented out when there is no literal default).
    public struct DefaultParameter: Sendable, Hashable {
        public var name: String
        /// The default in TOML syntax, or nil when the strategy has none to show.
        public var value: String?
        public var note: String

        public init(name: String, value: String?, note: String) {
            self.name = name
            self.value = value
            self.note = note
        }
    }

    public static func toml(_ c: CastorConfiguration, defaultParameters: [DefaultParameter] = []) -> String {
        var out = "# The configuration in force, defaults included (castor show-config).\n"
        out += "# API keys and secrets are never in this file: CASTOR_API_KEY / CASTOR_API_SECRET or systemd credentials.\n"

        out += "\n[venue]\n"
        switch c.venue {
        case .custom(let rest, let ws):
            out += "rest_url = \(quoted(rest))\nwebsocket_url = \(quoted(ws))\n"
            if let url = c.venueAPI.webSocketAPIURL { out += "ws_api_url = \(quoted(url))\n" }
        default:
            out += "name = \(quoted(c.venue.name))\n"
        }
        out += "api = \(quoted(c.venueAPI.api.rawValue))\n"
        if c.venue != .paper { out += "order_entry = \(quoted(c.venueAPI.orderEntry.rawValue))\n" }
        out += "cancel_on_disconnect = \(c.venueAPI.cancelOnDisconnect)\n"
        if let url = c.venueAPI.marketDataURL { out += "market_data_url = \(quoted(url))\n" }

        out += "\n[account]\n"
        out += "nonce_format = \(quoted(nonceName(c.account.nonceFormat)))\n"
        out += "require_heartbeat = \(c.account.requireHeartbeat)\n"
        out += "allow_fund_manager = \(c.account.allowFundManager)\n"
        if let account = c.account.account { out += "account = \(quoted(account))\n" }

        out += "\n[engine]\n"
        out += "symbols = [\(c.engine.symbols.map(quoted).joined(separator: ", "))]\n"
        out += "state_directory = \(quoted(c.engine.stateDirectory))\n"
        out += "cancel_on_shutdown = \(c.engine.cancelOnShutdown)\n"
        out += "shutdown_timeout = \(duration(c.engine.shutdownTimeout))\n"

        out += "\n[log]\n"
        out += "level = \(quoted(c.log.level.rawValue))\n"
        if c.log.formatIsExplicit {
            out += "format = \(quoted(c.log.format.rawValue))\n"
        } else {
            out += "# format: text on a terminal, JSON otherwise (not set)\n"
        }

        out += "\n[strategy]\n"
        switch c.strategy.selection {
        case .builtIn(let strategy): out += "name = \(quoted(strategy.rawValue))\n"
        case .plugin(let path, let name): out += "plugin = { path = \(quoted(path)), name = \(quoted(name)) }\n"
        }
        out += "on_switch = \(quoted(c.strategy.onSwitch.rawValue))\n"
        out += "\n[strategy.params]\n"
        let written = c.strategy.parameters
        for key in written.keys {
            if let value = written[key] { out += "\(bareOrQuotedKey(key)) = \(parameter(value))\n" }
        }
        for d in defaultParameters where written[d.name] == nil {
            if let value = d.value {
                out += "\(bareOrQuotedKey(d.name)) = \(value)  # default: \(d.note)\n"
            } else {
                out += "# \(d.name): not set: \(d.note)\n"
            }
        }

        out += "\n[risk]\n" + risk(c.risk.defaults)
        for symbol in c.risk.overrides.keys.sorted() {
            out += "\n[risk.symbols.\(bareOrQuotedKey(symbol))]\n" + risk(c.risk.overrides[symbol]!)
        }

        out += "\n[rate_limits]\n"
        out += "private_per_second = \(number(c.rateLimits.privatePerSecond))\n"
        out += "private_burst = \(c.rateLimits.privateBurst)\n"
        out += "public_per_second = \(number(c.rateLimits.publicPerSecond))\n"
        out += "public_burst = \(c.rateLimits.publicBurst)\n"
        out += "maintenance_pause = \(duration(c.rateLimits.maintenancePause))\n"

        out += "\n[feeds]\n"
        out += "heartbeat_timeout = \(duration(c.feeds.heartbeatTimeout))\n"
        out += "stale_market_after = \(duration(c.feeds.staleMarketAfter))\n"
        out += "reconnect_backoff_base = \(duration(c.feeds.reconnectBackoffBase))\n"
        out += "reconnect_backoff_cap = \(duration(c.feeds.reconnectBackoffCap))\n"
        out += "stable_after = \(duration(c.feeds.stableAfter))\n"

        out += "\n[metrics]\n"
        out += c.metrics.listen.map { "listen = \(quoted($0))\n" } ?? "# listen: not set (no metrics endpoint)\n"

        out += "\n[alerts]\n"
        out += c.alerts.webhookURL.map { "# webhook_url = \(quoted(redactedURL($0)))  (path hidden: it may hold a token)\n" }
            ?? "# webhook_url: not set (no alerts)\n"
        return out
    }

    private static func risk(_ l: RiskLimits) -> String {
        "max_order_notional = \(quoted(l.maxOrderNotional.description))\n"
            + "max_position = \(quoted(l.maxPosition.description))\n"
            + "max_open_orders = \(l.maxOpenOrders)\n"
            + "price_band_bps = \(l.priceBandBps)\n"
            + "max_orders_per_minute = \(l.maxOrdersPerMinute)\n"
            + "kill_switch = \(l.killSwitch)\n"
    }

    private static func nonceName(_ f: NonceFormat) -> String {
        switch f {
        case .secondsWithMillis: "seconds-millis"
        case .milliseconds: "milliseconds"
        case .seconds: "seconds"
        }
    }

    /// A duration as the parser reads it: whole hours, minutes or seconds when exact, else
    /// milliseconds (configuration durations have no finer resolution).
    static func duration(_ d: Duration) -> String {
        let ms = d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
        if ms % 3_600_000 == 0, ms > 0 { return quoted("\(ms / 3_600_000)h") }
        if ms % 60_000 == 0, ms > 0 { return quoted("\(ms / 60_000)m") }
        if ms % 1000 == 0 { return quoted("\(ms / 1000)s") }
        return quoted("\(ms)ms")
    }

    /// A rate limit (requests a second, not money): an integer when whole.
    private static func number(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    private static func parameter(_ v: StrategyParameterValue) -> String {
        switch v {
        case .string(let s): quoted(s)
        case .integer(let i): "\(i)"
        case .bool(let b): "\(b)"
        case .array(let items): "[" + items.map(parameter).joined(separator: ", ") + "]"
        case .table(let t): "{ " + t.keys.sorted().map { "\(bareOrQuotedKey($0)) = \(parameter(t[$0]!))" }.joined(separator: ", ") + " }"
        }
    }

    /// A TOML basic string.
    public static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func bareOrQuotedKey(_ k: String) -> String {
        let bare = !k.isEmpty && k.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSetASCII.isAlnum($0) || $0 == "_" || $0 == "-") }
        return bare ? k : quoted(k)
    }

    /// `https://host[:port]/…`: a webhook's path and query can be its credential.
    static func redactedURL(_ url: String) -> String {
        guard let sep = url.range(of: "://") else { return "…" }
        let authority = url[sep.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let host = authority.split(separator: "@").last.map(String.init) ?? ""
        return String(url[..<sep.upperBound]) + host + "/…"
    }
}

private enum CharacterSetASCII {
    static func isAlnum(_ s: Unicode.Scalar) -> Bool {
        (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || (s >= "0" && s <= "9")
    }
}
