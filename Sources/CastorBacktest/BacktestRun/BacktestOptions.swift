import CastorConfig
import CastorStrategy

/// What a backtest runs: the configuration (strategy, its parameters, symbols, risk), the
/// venue's fill model settings, how time advances over lines without a time prefix.
public struct BacktestOptions {
    /// The strategy, its parameters, risk and rate limits, as `castor run` reads them. The
    /// venue and the state directory are the backtest's own (a temporary journal).
    public var configuration: CastorConfiguration
    /// Nil: `configuration.engine.symbols` when `symbolsFromConfiguration`, else the
    /// symbols of the recording's first lines.
    public var symbols: [String]?
    public var symbolsFromConfiguration = false
    public var venue = BacktestVenueSettings()
    /// Virtual time between two lines without a time prefix.
    public var stepMs: Int64 = 1
    /// The equity curve's sampling interval (engine time), besides every fill.
    public var sampleEveryMs: Int64 = 1_000
    /// Strategy factories added to the engine's catalogue (tests).
    public var strategies: [any StrategyFactory] = []
    /// Virtual time the start-up and the shutdown may take.
    public var startupBudgetMs: Int64 = 60_000
    public var shutdownBudgetMs: Int64 = 60_000
    /// Called every `progressEvery` frames with the bytes read so far, the total and the
    /// frames applied (a terminal's progress line); nil: never.
    public var progress: (@Sendable (_ bytesDone: Int, _ bytesTotal: Int, _ messages: Int) -> Void)?
    public var progressEvery = 100_000

    public init(configuration: CastorConfiguration) {
        self.configuration = configuration
    }

    /// The time a recording without any time prefix starts at (fixed, so a run is a
    /// function of its input): 2023-11-14T22:13:20Z.
    public static let defaultStartMs: Int64 = 1_700_000_000_000
}

/// `@unchecked`: `strategies` (`StrategyFactory` is not `Sendable`) are only ever called by
/// the engine of the run they are handed to, on its queue; everything else is values.
extension BacktestOptions: @unchecked Sendable {}

/// Why a backtest could not run or finish.
public enum BacktestError: Error, Sendable, CustomStringConvertible {
    case unreadableInput(path: String, detail: String)
    case noSymbols
    case engineStartFailed(String)
    case engineStopFailed(String)

    public var description: String {
        switch self {
        case .unreadableInput(let path, let detail): "cannot read \(path): \(detail)"
        case .noSymbols: "the recording's first lines name no symbol, and none was given (--symbols or [engine] symbols)"
        case .engineStartFailed(let detail): "the engine did not start: \(detail)"
        case .engineStopFailed(let detail): "the engine did not stop cleanly: \(detail)"
        }
    }
}
