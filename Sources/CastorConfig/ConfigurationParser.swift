import CastorCore
import GeminiProtocol

/// Turns the TOML tree into a `CastorConfiguration`, reporting every problem to `diagnostics`.
///
/// Each section starts from its defaults and overwrites only what the file sets validly, so
/// one bad key produces one error and no knock-on errors.
struct ConfigurationParser {
    let diagnostics: ConfigDiagnostics
    let environment: [String: String]

    static let sections = ["venue", "account", "engine", "log", "strategy", "risk", "rate_limits", "feeds", "metrics", "alerts"]

    func parse(_ root: ConfigNode) -> CastorConfiguration {
        diagnostics.scanForSecrets(root)
        guard case .table(let entries) = root else { return CastorConfiguration(environment: environment) }
        let top = ConfigSection(path: [], entries: entries, diagnostics: diagnostics)
        top.rejectUnknownKeys(known: Self.sections)
        var config = CastorConfiguration(environment: environment)
        if let section = top.section("venue") {
            config.venue = venue(section)
            config.venueAPI = venueAPI(section, venue: config.venue)
        }
        if let section = top.section("account") { config.account = account(section) }
        if let section = top.section("engine") { engine(section, into: &config.engine) }
        if let section = top.section("log") { config.log = log(section) }
        if let section = top.section("strategy") { config.strategy = strategy(section) }
        if let section = top.section("risk") { config.risk = risk(section, symbols: config.engine.symbols) }
        checkNotionalCurrency(config.engine.symbols, notional: config.risk.defaults.maxOrderNotional, top: top)
        if let section = top.section("rate_limits") { config.rateLimits = rateLimits(section) }
        if let section = top.section("feeds") { config.feeds = feeds(section) }
        if let section = top.section("metrics") { config.metrics = metrics(section) }
        if let section = top.section("alerts") { config.alerts = alerts(section) }
        return config
    }

    private func venue(_ s: ConfigSection) -> VenueConfiguration {
        s.rejectUnknownKeys(known: ["name", "rest_url", "websocket_url", "ws_api_url", "api", "order_entry",
                                    "cancel_on_disconnect", "market_data_url"])
        let rest = s.string("rest_url"), ws = s.string("websocket_url")
        if rest != nil || ws != nil {
            if let name = s.string("name"), name != "custom" {
                s.report("name", .invalidValue(reason: #"name = "\#(name)" conflicts with rest_url/websocket_url: remove the URLs, or set name = "custom""#))
            }
            guard let rest, let ws else {
                s.report(rest == nil ? "rest_url" : "websocket_url",
                         .invalidValue(reason: "missing: a custom venue needs both rest_url and websocket_url"))
                return .simulator
            }
            let restProblem = VenueURL.problem(rest, secure: "https", plain: "http")
            let wsProblem = VenueURL.problem(ws, secure: "wss", plain: "ws")
            if let restProblem { s.report("rest_url", .invalidValue(reason: restProblem)) }
            if let wsProblem { s.report("websocket_url", .invalidValue(reason: wsProblem)) }
            return .custom(restURL: rest, websocketURL: ws)
        }
        return s.choice("name", [("sim", VenueConfiguration.simulator), ("paper", .paper), ("sandbox", .sandbox),
                                 ("production", .production)])
            ?? .simulator
    }

    private func venueAPI(_ s: ConfigSection, venue: VenueConfiguration) -> VenueAPIConfiguration {
        var api = VenueAPIConfiguration()
        let explicitAPI = s.choice("api", VenueAPIConfiguration.StreamAPI.allCases.map { ($0.rawValue, $0) })
        // A custom venue that names no ws_api_url speaks the API its URLs are for.
        if case .custom = venue, s.string("ws_api_url") == nil, explicitAPI == nil { api.api = .legacy }
        api.api = explicitAPI ?? api.api
        api.orderEntry = s.choice("order_entry", VenueAPIConfiguration.OrderEntry.allCases.map { ($0.rawValue, $0) })
            ?? api.orderEntry
        api.cancelOnDisconnect = s.bool("cancel_on_disconnect") ?? api.cancelOnDisconnect
        if api.orderEntry == .websocket, api.api == .legacy {
            s.report("order_entry", .invalidValue(reason: #"order_entry = "websocket" needs api = "websocket" (the legacy API has no order entry on a socket): set api = "websocket", or order_entry = "rest""#))
        }
        if let url = s.string("market_data_url") {
            if venue != .paper {
                s.report("market_data_url", .invalidValue(reason: #"only name = "paper" takes market_data_url (where paper trading reads live prices)"#))
            } else if let problem = VenueURL.problem(url, secure: "wss", plain: "ws") {
                s.report("market_data_url", .invalidValue(reason: problem))
            } else {
                api.marketDataURL = url
            }
        }
        if venue == .paper, api.orderEntry == .websocket {
            s.report("order_entry", .invalidValue(reason: #"paper trading matches orders locally: order_entry does not apply; remove it"#))
        }
        if let url = s.string("ws_api_url") {
            if case .custom = venue {
                if let problem = VenueURL.problem(url, secure: "wss", plain: "ws") {
                    s.report("ws_api_url", .invalidValue(reason: problem))
                } else {
                    api.webSocketAPIURL = url
                }
            } else {
                s.report("ws_api_url", .invalidValue(reason: "only a custom venue (rest_url and websocket_url) takes ws_api_url; \(venue.name)'s is built in"))
            }
        } else if case .custom = venue, api.api == .websocket {
            s.report("ws_api_url", .invalidValue(reason: #"missing: api = "websocket" on a custom venue needs ws_api_url (e.g. "wss://ws.example.com"), or set api = "legacy""#))
        }
        return api
    }

    private func account(_ s: ConfigSection) -> AccountConfiguration {
        s.rejectUnknownKeys(known: ["nonce_format", "require_heartbeat", "account", "allow_fund_manager"])
        var account = AccountConfiguration()
        account.nonceFormat = s.choice("nonce_format", [
            ("seconds-millis", NonceFormat.secondsWithMillis), ("milliseconds", .milliseconds), ("seconds", .seconds),
        ]) ?? account.nonceFormat
        account.requireHeartbeat = s.bool("require_heartbeat") ?? account.requireHeartbeat
        account.allowFundManager = s.bool("allow_fund_manager") ?? account.allowFundManager
        if let name = s.string("account") {
            if name.isEmpty || name.contains(where: { $0.isWhitespace }) {
                s.report("account", .invalidValue(reason: "\"\(name)\" is not an account nickname (non-empty, no spaces); omit it for account keys"))
            } else {
                account.account = name
            }
        }
        return account
    }

    private func engine(_ s: ConfigSection, into engine: inout EngineConfiguration) {
        s.rejectUnknownKeys(known: ["symbols", "state_directory", "cancel_on_shutdown", "shutdown_timeout"])
        if let symbols = s.stringList("symbols") {
            engine.symbols = validSymbols(symbols, s) ?? engine.symbols
        }
        if let directory = s.string("state_directory") {
            if directory.hasPrefix("/") { engine.stateDirectory = directory } else {
                s.report("state_directory", .invalidValue(reason: "\"\(directory)\" must be an absolute path"))
            }
        }
        engine.cancelOnShutdown = s.bool("cancel_on_shutdown") ?? engine.cancelOnShutdown
        engine.shutdownTimeout = s.duration("shutdown_timeout", in: EngineConfiguration.shutdownTimeoutRange) ?? engine.shutdownTimeout
    }

    private func validSymbols(_ symbols: [String], _ s: ConfigSection) -> [String]? {
        guard !symbols.isEmpty else {
            s.report("symbols", .invalidValue(reason: #"the symbol list is empty: list at least one, e.g. ["BTCUSD"]"#))
            return nil
        }
        var seen: [String] = []
        for symbol in symbols {
            let upper = symbol.uppercased()
            guard (3...20).contains(upper.count), upper.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                s.report("symbols", .invalidValue(reason: "\"\(symbol)\" is not a Gemini symbol (letters and digits, like \"BTCUSD\")"))
                return nil
            }
            if seen.contains(upper) {
                s.report("symbols", .invalidValue(reason: "\"\(symbol)\" is listed twice"))
                return nil
            }
            seen.append(upper)
        }
        return seen
    }

    private func log(_ s: ConfigSection) -> LogConfiguration {
        s.rejectUnknownKeys(known: ["level", "format"])
        var log = LogConfiguration()
        log.level = s.choice("level", LogLevelSetting.allCases.map { ($0.rawValue, $0) }) ?? log.level
        if let format = s.choice("format", LogFormatSetting.allCases.map { ($0.rawValue, $0) }) {
            log.format = format
            log.formatIsExplicit = true
        }
        return log
    }

    private func strategy(_ s: ConfigSection) -> StrategyConfiguration {
        s.rejectUnknownKeys(known: ["name", "plugin", "on_switch", "params"])
        var strategy = StrategyConfiguration()
        if let plugin = s.section("plugin") {
            plugin.rejectUnknownKeys(known: ["path", "name"])
            if s.node("name") != nil {
                s.report("name", .invalidValue(reason: "set either name (a built-in strategy) or plugin, not both"))
            }
            let path = plugin.string("path"), name = plugin.string("name")
            if path == nil && plugin.node("path") == nil { s.report("plugin", .invalidValue(reason: #"plugin needs path = "/absolute/path/libstrategy.so""#)) }
            if name == nil && plugin.node("name") == nil { s.report("plugin", .invalidValue(reason: #"plugin needs name = "<strategy name in the library>""#)) }
            if let path, !path.hasPrefix("/") { plugin.report("path", .invalidValue(reason: "\"\(path)\" must be an absolute path")) }
            if let name, name.isEmpty { plugin.report("name", .invalidValue(reason: "the plugin strategy name is empty")) }
            if let path, let name, path.hasPrefix("/"), !name.isEmpty { strategy.selection = .plugin(path: path, name: name) }
        } else if let builtIn = s.choice("name", BuiltInStrategy.allCases.map { ($0.rawValue, $0) }) {
            strategy.selection = .builtIn(builtIn)
        }
        strategy.onSwitch = s.choice("on_switch", StrategySwitchPolicy.allCases.map { ($0.rawValue, $0) }) ?? strategy.onSwitch
        if let params = s.section("params") { strategy.parameters = parameters(params) }
        return strategy
    }

    private func parameters(_ s: ConfigSection) -> StrategyParameterTable {
        var values: [String: StrategyParameterValue] = [:]
        var locations: [String: String] = [:]
        for (key, node) in s.entries where !diagnostics.isSecret(s.path + [key]) {
            guard let value = parameterValue(node, path: s.path + [key]) else { continue }
            values[key] = value
            let line = ConfigSection(path: s.path + [key], entries: [:], diagnostics: diagnostics)
            locations[key] = line.locationText
        }
        return StrategyParameterTable(values: values, locations: locations)
    }

    private func parameterValue(_ node: ConfigNode, path: [String]) -> StrategyParameterValue? {
        switch node {
        case .string(let text): return .string(text)
        case .integer(let int): return .integer(int)
        case .bool(let bool): return .bool(bool)
        case .float:
            diagnostics.report(path, .floatForDecimal)
            return nil
        case .dateTime:
            diagnostics.report(path, .wrongType(expected: "a string, integer, boolean, array or table", found: node.typeName))
            return nil
        case .array(let elements):
            let converted = elements.map { parameterValue($0, path: path) }
            return converted.contains(where: { $0 == nil }) ? nil : .array(converted.map { $0! })
        case .table(let entries):
            var table: [String: StrategyParameterValue] = [:]
            for (key, child) in entries where !diagnostics.isSecret(path + [key]) {
                guard let value = parameterValue(child, path: path + [key]) else { return nil }
                table[key] = value
            }
            return .table(table)
        }
    }

    private static let riskKeys = ["max_order_notional", "max_position", "max_open_orders", "price_band_bps",
                                   "max_orders_per_minute", "kill_switch"]

    private func risk(_ s: ConfigSection, symbols: [String]) -> RiskConfiguration {
        s.rejectUnknownKeys(known: Self.riskKeys + ["symbols"])
        var risk = RiskConfiguration()
        risk.defaults = limits(s, base: .conservative)
        if let perSymbol = s.section("symbols") {
            for key in perSymbol.entries.keys.sorted() {
                guard let override = perSymbol.section(key) else { continue }
                override.rejectUnknownKeys(known: Self.riskKeys)
                let symbol = key.uppercased()
                guard symbols.contains(symbol) else {
                    perSymbol.report(key, .invalidValue(reason: "\(key) is not in engine.symbols (\(symbols.joined(separator: ", "))): add it there or remove this table"))
                    continue
                }
                risk.overrides[symbol] = limits(override, base: risk.defaults)
            }
        }
        return risk
    }

    /// Quote currencies worth about a US dollar, in which `[risk] max_order_notional`'s
    /// default (100) means what it says. Gemini symbols end in their quote currency.
    private static let dollarLikeQuotes = ["USDT", "USDC", "GUSD", "RLUSD", "USD", "DAI", "EUR", "GBP", "SGD", "AUD", "CAD"]

    /// `max_order_notional` is in the symbol's quote currency: the default 100 is 100 USD on
    /// BTCUSD but 100 BTC (millions of dollars) on ETHBTC. A symbol quoted in anything but a
    /// dollar-like currency needs its own `[risk.symbols.<SYMBOL>] max_order_notional`.
    private func checkNotionalCurrency(_ symbols: [String], notional: ExactDecimal, top: ConfigSection) {
        // Read without reporting: `risk(_:symbols:)` reported any wrong type already.
        func table(_ node: ConfigNode?) -> [String: ConfigNode]? {
            if case .table(let children)? = node { return children } else { return nil }
        }
        let overrides = table(table(top.entries["risk"])?["symbols"]) ?? [:]
        let withOwnNotional = Set(overrides.compactMap { key, node in
            table(node)?["max_order_notional"] != nil ? key.uppercased() : nil
        })
        let engine = table(top.entries["engine"]) != nil ? top.section("engine") : nil
        for symbol in symbols where !withOwnNotional.contains(symbol) {
            let pair = symbol.hasSuffix("PERP") ? String(symbol.dropLast(4)) : symbol // BTCGUSDPERP: quoted in GUSD
            guard !Self.dollarLikeQuotes.contains(where: { pair.hasSuffix($0) }) else { continue }
            let reason = "\(symbol) is not quoted in dollars, and max_order_notional is in the quote currency: [risk]'s "
                + "\(notional) would allow \(notional) \(pair.suffix(3)) an order; "
                + "set [risk.symbols.\(symbol)] max_order_notional in its quote currency"
            if let engine { engine.report("symbols", .invalidValue(reason: reason)) }
        }
    }

    private func limits(_ s: ConfigSection, base: RiskLimits) -> RiskLimits {
        var limits = base
        limits.maxOrderNotional = s.decimal("max_order_notional") ?? limits.maxOrderNotional
        limits.maxPosition = s.decimal("max_position") ?? limits.maxPosition
        limits.maxOpenOrders = s.int("max_open_orders", in: 1...1_000) ?? limits.maxOpenOrders
        limits.priceBandBps = s.int("price_band_bps", in: 1...10_000) ?? limits.priceBandBps
        limits.maxOrdersPerMinute = s.int("max_orders_per_minute", in: 1...600) ?? limits.maxOrdersPerMinute
        limits.killSwitch = s.bool("kill_switch") ?? limits.killSwitch
        return limits
    }

    private func rateLimits(_ s: ConfigSection) -> RateLimitConfiguration {
        s.rejectUnknownKeys(known: ["private_per_second", "private_burst", "public_per_second", "public_burst",
                                    "maintenance_pause"])
        var limits = RateLimitConfiguration()
        limits.privatePerSecond = s.number("private_per_second", in: 0.01...RateLimitConfiguration.privateCeiling) ?? limits.privatePerSecond
        limits.privateBurst = s.int("private_burst", in: 1...10) ?? limits.privateBurst
        limits.publicPerSecond = s.number("public_per_second", in: 0.01...RateLimitConfiguration.publicCeiling) ?? limits.publicPerSecond
        limits.publicBurst = s.int("public_burst", in: 1...5) ?? limits.publicBurst
        limits.maintenancePause = s.duration("maintenance_pause", in: .seconds(1)...(.seconds(3600))) ?? limits.maintenancePause
        return limits
    }

    private func alerts(_ s: ConfigSection) -> AlertsConfiguration {
        s.rejectUnknownKeys(known: ["webhook_url"])
        var alerts = AlertsConfiguration()
        guard let url = s.string("webhook_url") else { return alerts }
        let lower = url.lowercased()
        let loopback = ["http://127.0.0.1:", "http://127.0.0.1/", "http://localhost:", "http://localhost/", "http://[::1]:", "http://[::1]/"]
        guard !url.contains(where: { $0.isWhitespace }), lower.hasPrefix("https://") && url.count > 8 || loopback.contains(where: lower.hasPrefix)
        else {
            s.report("webhook_url", .invalidValue(reason: "\"\(url)\" is not an https:// URL (plain http only to 127.0.0.1, localhost or [::1])"))
            return alerts
        }
        alerts.webhookURL = url
        return alerts
    }

    private func metrics(_ s: ConfigSection) -> MetricsConfiguration {
        s.rejectUnknownKeys(known: ["listen"])
        var metrics = MetricsConfiguration()
        guard let listen = s.string("listen") else { return metrics }
        metrics.listen = listen
        guard let address = metrics.address, !address.host.isEmpty else {
            s.report("listen", .invalidValue(reason: "\"\(listen)\" is not host:port with a port up to 65535 (e.g. \"127.0.0.1:9464\"; 0 picks a free one, logged)"))
            metrics.listen = nil
            return metrics
        }
        return metrics
    }

    private func feeds(_ s: ConfigSection) -> FeedConfiguration {
        s.rejectUnknownKeys(known: ["heartbeat_timeout", "stale_market_after", "reconnect_backoff_base", "reconnect_backoff_cap",
                                    "stable_after"])
        var feeds = FeedConfiguration()
        feeds.heartbeatTimeout = s.duration("heartbeat_timeout", in: .seconds(2)...(.seconds(120))) ?? feeds.heartbeatTimeout
        feeds.staleMarketAfter = s.duration("stale_market_after", in: .seconds(1)...(.seconds(600))) ?? feeds.staleMarketAfter
        feeds.stableAfter = s.duration("stable_after", in: .seconds(1)...(.seconds(3600))) ?? feeds.stableAfter
        let base = s.duration("reconnect_backoff_base", in: .milliseconds(100)...(.seconds(60)))
        let cap = s.duration("reconnect_backoff_cap", in: .seconds(1)...(.seconds(600)))
        feeds.reconnectBackoffBase = base ?? feeds.reconnectBackoffBase
        feeds.reconnectBackoffCap = cap ?? feeds.reconnectBackoffCap
        if feeds.reconnectBackoffBase > feeds.reconnectBackoffCap {
            s.report(cap != nil ? "reconnect_backoff_cap" : "reconnect_backoff_base",
                     .invalidValue(reason: "reconnect_backoff_base (\(DurationText.format(feeds.reconnectBackoffBase))) is longer than reconnect_backoff_cap (\(DurationText.format(feeds.reconnectBackoffCap)))"))
        }
        return feeds
    }
}
