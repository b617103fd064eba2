import ArgumentParser
import CastorBacktest
import CastorConfig
import CastorCore
import CastorEngine
import CastorLog
import Foundation
import Logging
import MarketData

/// `castor backtest FILE...`: runs a strategy through Castor's own engine on virtual time
/// against a market data recording and a local fill model (`CastorBacktest`), and prints
/// a report. Exit codes: 0 done, 1 the engine failed to start or stop, 64 bad arguments
/// (an unknown strategy, a bad `--param`), 66 an input file missing or unreadable, 78 a
/// bad configuration file.
struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Backtest a strategy on recorded market data, through Castor's own engine.",
        discussion: """
            Reads market data v2 recordings (one frame per line, optional `<unix time>: ` \
            prefix; lines without one are --step after the previous line) as one stream. \
            The engine (strategy, risk checks, order manager, reconciliation, fill ledger) \
            runs on a manual clock driven by the recorded times; orders are matched by a \
            local fill model: live after --latency, queue position behind the displayed \
            quantity at their price, filled by trades at or through it, taker fills at the \
            book's levels. See README, Backtesting.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "Recorded market data v2 files, read in order.")
    var files: [String]

    @Option(help: "A castor configuration (strategy, parameters, symbols, risk, rate limits); its venue is ignored.")
    var config: String?

    @Option(help: "A built-in strategy: \(BuiltInStrategy.allCases.map(\.rawValue).joined(separator: ", ")) (default: the configuration's, else market-maker).")
    var strategy: String?

    @Option(name: .customLong("param"), help: "A strategy parameter, key=value (repeatable; integers and true/false typed, anything else a string).")
    var params: [String] = []

    @Option(help: "Symbols to trade, comma-separated (default: the configuration's with --config, else the recording's).")
    var symbols: String?

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    @Option(help: "Order latency: 50ms, 0.2s, or milliseconds (default 50ms).")
    var latency: String = "50ms"

    @Option(name: .customLong("maker-fee"), help: "Maker fee in basis points of notional (default 20).")
    var makerFee: String = "20"

    @Option(name: .customLong("taker-fee"), help: "Taker fee in basis points of notional (default 40).")
    var takerFee: String = "40"

    @Option(help: "Virtual time between lines without a time prefix (default 1ms).")
    var step: String = "1ms"

    @Option(help: "Write the equity curve, mid and position as SVG to this file.")
    var plot: String?

    @Flag(name: .customLong("no-timing"), help: "Leave the wall-clock figures out of the report (equal inputs then give equal bytes).")
    var noTiming = false

    @Option(name: .customLong("log-level"), help: "The engine's log level on stderr (default error).")
    var logLevel: String = "error"

    func run() throws {
        guard let level = Logger.Level(rawValue: logLevel) else { fail("--log-level \(logLevel): use trace, debug, info, notice, warning, error or critical", 64) }
        guard let latencyMs = Self.milliseconds(latency) else { fail("--latency \(latency): use e.g. 50ms, 0.2s or 50", 64) }
        guard let stepMs = Self.milliseconds(step) else { fail("--step \(step): use e.g. 1ms", 64) }
        guard let maker = ExactDecimal(makerFee), !maker.isNegative else { fail("--maker-fee \(makerFee): a decimal number of basis points", 64) }
        guard let taker = ExactDecimal(takerFee), !taker.isNegative else { fail("--taker-fee \(takerFee): a decimal number of basis points", 64) }

        var configuration: CastorConfiguration
        if let config {
            do { configuration = try CastorConfiguration.load(path: config, environment: [:]) } catch {
                let lines = error.issues.isEmpty ? [error.description] : error.issues.map(\.description)
                fail((lines + ["castor backtest: configuration \(config) is invalid"]).joined(separator: "\n"), 78)
            }
        } else {
            configuration = CastorConfiguration(environment: [:])
        }
        if let strategy {
            guard let builtIn = BuiltInStrategy(rawValue: strategy) else {
                fail("--strategy \(strategy): no such strategy; the built-ins are \(BuiltInStrategy.allCases.map(\.rawValue).joined(separator: ", ")) (a plug-in is named in --config)", 64)
            }
            if configuration.strategy.selection != .builtIn(builtIn) {
                configuration.strategy.selection = .builtIn(builtIn)
                if !params.isEmpty || config == nil { configuration.strategy.parameters = StrategyParameterTable() }
            }
        }
        if !params.isEmpty {
            var values = configuration.strategy.parameters.values
            for p in params {
                guard let eq = p.firstIndex(of: "="), eq != p.startIndex else { fail("--param \(p): use key=value", 64) }
                let key = String(p[..<eq]), raw = String(p[p.index(after: eq)...])
                values[key] = Int(raw).map { .integer($0) } ?? (raw == "true" ? .bool(true) : raw == "false" ? .bool(false) : .string(raw))
            }
            configuration.strategy.parameters = StrategyParameterTable(values)
        }
        if let problem = StrategyValidation.problem(in: configuration) {
            fail("castor backtest: strategy \(configuration.strategy.selection.name): \(problem.message)", 64)
        }

        var mapped: [MappedFile] = []
        for file in files {
            do { mapped.append(try MappedFile(path: file)) } catch { fail("castor backtest: \(file): \(error)", 66) }
        }
        var options = BacktestOptions(configuration: configuration)
        options.symbols = symbols.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        options.symbolsFromConfiguration = config != nil
        options.venue.latencyMs = latencyMs
        options.venue.makerFeeBps = maker
        options.venue.takerFeeBps = taker
        options.stepMs = max(0, stepMs)
        // On a terminal, a progress line on stderr (the report goes to stdout).
        let onTerminal = isatty(2) != 0
        if onTerminal {
            let began = DispatchTime.now().uptimeNanoseconds
            options.progress = { done, total, messages in
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
                let rate = seconds > 0 ? Double(messages) / seconds : 0
                let percent = total > 0 ? 100 * done / total : 100
                let line = "\rcastor backtest: \(percent)%  \(messages) messages  \(Int(rate)) msgs/s   "
                Self.writeToTerminal(line)
            }
        }

        CastorLogging.bootstrap(format: .text, level: level, fd: 2)
        let logger = Logger(label: "castor.backtest")
        let inputs = zip(files, mapped).map { (path: $0.0, bytes: $0.1.bytes) }
        let report: BacktestReport
        do {
            report = try withExtendedLifetime(mapped) { try BacktestRun(inputs: inputs, options: options, logger: logger).run() }
            if onTerminal { Self.writeToTerminal("\r\u{1B}[K") }
        } catch {
            if onTerminal { Self.writeToTerminal("\r\u{1B}[K") }
            CastorLogging.flush()
            fail("castor backtest: \(error)", 1)
        }
        if let plot {
            do { try BacktestPlot.svg(report).write(toFile: plot, atomically: true, encoding: .utf8) } catch {
                fail("castor backtest: --plot \(plot): \(error)", 73)
            }
        }
        print(format == .json ? report.json(timing: !noTiming) : report.text(timing: !noTiming))
        CastorLogging.flush()
        if report.stopError != nil { throw ExitCode(1) }
    }

    private func fail(_ text: String, _ code: Int32) -> Never {
        FileHandle.standardError.write(Data((text + "\n").utf8))
        Foundation.exit(code)
    }

    /// `50ms`, `0.2s`, or a bare number of milliseconds; nil otherwise.
    static func milliseconds(_ text: String) -> Int64? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let (number, factor): (String, Int) = t.hasSuffix("ms") ? (String(t.dropLast(2)), 1)
            : t.hasSuffix("s") ? (String(t.dropLast(1)), 1000) : (t, 1)
        guard let d = ExactDecimal(number), !d.isNegative,
              let ms = (d * ExactDecimal(factor)).quantized(toStep: 1, rule: .down), ms <= ExactDecimal(86_400_000)
        else { return nil }
        return ms.rescaled(to: 0).flatMap { Int64(exactly: $0.mantissa) }
    }

    /// Writes `text` to stderr as it is (a progress line redrawn in place).
    static func writeToTerminal(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }
}
