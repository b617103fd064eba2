import Foundation
import TOMLKit

/// The daemon's whole configuration: one TOML file, every section optional.
///
/// With no file at all (`CastorConfiguration.default`) Castor trades on the embedded simulator
/// with the market maker on BTCUSD. API secrets are never part of it: see `CredentialsLoader`.
public struct CastorConfiguration: Sendable, Hashable {
    public var venue: VenueConfiguration = .simulator
    /// `[venue] api`, `order_entry`, `ws_api_url`, `cancel_on_disconnect`.
    public var venueAPI = VenueAPIConfiguration()
    public var account = AccountConfiguration()
    public var engine: EngineConfiguration
    public var log = LogConfiguration()
    public var strategy = StrategyConfiguration()
    public var risk = RiskConfiguration()
    public var rateLimits = RateLimitConfiguration()
    public var feeds = FeedConfiguration()
    public var metrics = MetricsConfiguration()
    public var alerts = AlertsConfiguration()

    /// Defaults, with the state directory derived from `environment`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        engine = EngineConfiguration(stateDirectory: EngineConfiguration.defaultStateDirectory(environment: environment))
    }

    /// The configuration used without a file: simulator, market maker on BTCUSD.
    public static var `default`: CastorConfiguration { CastorConfiguration() }

    /// The largest configuration file `load` reads (1 MiB); larger files are refused.
    public static let maximumFileSize = 1 << 20

    /// Reads and validates the file at `path`.
    /// - Throws: `ConfigurationError.unreadable` (missing, not a regular file, larger than
    ///   ``maximumFileSize``, not UTF-8), or `.invalid` listing every problem.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ConfigurationError) -> CastorConfiguration
    {
        try parse(text: readText(path: path), fileName: path, environment: environment)
    }

    /// The text of the configuration file at `path`, read with the same bounds as `load`.
    public static func readText(path: String) throws(ConfigurationError) -> String {
        let bytes = try ConfigFileReader.contents(path: path, limit: maximumFileSize)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .unreadable(path: path, reason: "not UTF-8 text")
        }
        return text
    }

    /// Parses and validates TOML `text`; `fileName` only labels the errors.
    /// - Throws: `ConfigurationError.invalid` listing every problem, sorted by line.
    public static func parse(text: String, fileName: String,
                             environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ConfigurationError) -> CastorConfiguration
    {
        if let (line, column, byte) = Self.firstControlCharacter(in: text) {
            // TOML allows no control character but tab (and CR before LF), anywhere; toml++
            // asserts on some (a form feed in a table header aborts a debug build), so they
            // are refused before it sees them.
            throw .invalid(issues: [ConfigurationIssue(
                file: fileName, line: line, keyPath: "",
                problem: .syntax(message: String(format: "control character U+%04X is not allowed in TOML", byte), column: column))])
        }
        let root: ConfigNode
        do {
            root = ConfigNode(try TOMLTable(string: text))
        } catch let error as TOMLParseError {
            throw .invalid(issues: [ConfigurationIssue(
                file: fileName, line: error.source.begin.line, keyPath: "",
                problem: .syntax(message: error.description, column: error.source.begin.column))])
        } catch {
            throw .invalid(issues: [ConfigurationIssue(file: fileName, line: nil, keyPath: "",
                                                       problem: .syntax(message: "\(error)", column: nil))])
        }
        let (configuration, issues) = parseAll(root, text: text, fileName: fileName, environment: environment)
        guard issues.isEmpty else { throw .invalid(issues: issues) }
        return configuration
    }

    /// Parses well-formed TOML `text` and returns the configuration as far as it could be
    /// read (a bad value keeps its default) with every problem, sorted by line, or throws as
    /// `parse` for a file that is not TOML at all. For `castor check-config`, which also
    /// checks the strategy of a file with other problems, so that one run lists them all.
    public static func parseReportingAll(text: String, fileName: String,
                                         environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ConfigurationError) -> (configuration: CastorConfiguration, issues: [ConfigurationIssue])
    {
        do {
            return (try parse(text: text, fileName: fileName, environment: environment), [])
        } catch {
            guard case .invalid(let issues) = error, issues.allSatisfy({ !$0.isSyntax }),
                  let root = try? ConfigNode(TOMLTable(string: text)) else { throw error }
            return parseAll(root, text: text, fileName: fileName, environment: environment)
        }
    }

    private static func parseAll(_ root: ConfigNode, text: String, fileName: String, environment: [String: String])
        -> (CastorConfiguration, [ConfigurationIssue])
    {
        let diagnostics = ConfigDiagnostics(fileName: fileName, text: text)
        let configuration = ConfigurationParser(diagnostics: diagnostics, environment: environment).parse(root)
        return (configuration, diagnostics.issues.sorted { ($0.line ?? 0, $0.keyPath) < ($1.line ?? 0, $1.keyPath) })
    }

    /// The first byte TOML forbids everywhere (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F,
    /// U+007F, and a CR not followed by LF), with its 1-based line and column.
    static func firstControlCharacter(in text: String) -> (line: Int, column: Int, byte: UInt8)? {
        var line = 1, column = 1
        let bytes = Array(text.utf8)
        for (i, b) in bytes.enumerated() {
            let crlf = b == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A
            if (b < 0x20 && b != 0x09 && b != 0x0A && !crlf) || b == 0x7F { return (line, column, b) }
            if b == 0x0A { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
        }
        return nil
    }

    /// The 1-based line on which the dotted `keyPath` (e.g. `strategy.params.size`) was
    /// written in TOML `text`, or that of its nearest ancestor; nil when neither appears.
    /// For problems found after parsing, such as a strategy rejecting its parameters.
    public static func line(of keyPath: String, in text: String) -> Int? {
        TOMLKeyLocator(text: text).line(of: keyPath.split(separator: ".").map(String.init))
    }

    /// One line for logs and `check-config`: venue, strategy, symbols, log settings.
    public var summary: String {
        var venueText = venue.name
        if case .custom(let rest, _) = venue { venueText += " (\(rest))" }
        venueText += " api \(venueAPI.api.rawValue), orders over \(venueAPI.orderEntry.rawValue)"
        return "venue \(venueText), strategy \(strategy.selection.name), symbols \(engine.symbols.joined(separator: ",")), "
            + "log \(log.level.rawValue)/\(log.format.rawValue), state \(engine.stateDirectory)"
    }
}
