import CastorConfig
import CastorStrategies
import CastorStrategy
import Foundation

/// Checks a configuration's `[strategy]` without starting anything, for `castor
/// check-config`: a built-in is constructed through the registry with the
/// `[strategy.params]` given (so a typo, a missing required parameter or a bad value is
/// caught exactly as `castor run` would catch it); a plug-in's library is only checked to
/// exist (loading it would run its code).
public enum StrategyValidation {
    /// One problem; `keyPath` is the parameter's config path (`strategy.params.size`) when
    /// the problem is about a single parameter, so callers can point at its line.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        public var keyPath: String?
        public var message: String
        public var description: String { message }
    }

    /// Why the configured strategy cannot be built, or nil: unlike `problem(in:)` a plug-in
    /// is loaded and instantiated too, exactly as the engine will. For a running daemon that
    /// checks a new configuration before it replaces its engine.
    public static func buildProblem(in configuration: CastorConfiguration) -> String? {
        switch StrategyCatalog.make(configuration.strategy.selection, parameters: configuration.strategy.parameters,
                                    symbols: configuration.engine.symbols, extra: []) {
        case .success: nil
        case .failure(let error): error.description
        }
    }

    /// The problem with the configured strategy, or nil when it can be built.
    public static func problem(in configuration: CastorConfiguration) -> Problem? {
        switch configuration.strategy.selection {
        case .plugin(let path, _):
            guard FileManager.default.fileExists(atPath: path) else {
                return Problem(keyPath: "strategy.plugin.path", message: "strategy.plugin.path: \(path) does not exist")
            }
            return nil
        case .builtIn(let builtIn):
            let params: StrategyParameters
            switch StrategyCatalog.convert(configuration.strategy.parameters, symbols: configuration.engine.symbols) {
            case .success(let p): params = p
            case .failure(let e): return Problem(keyPath: "strategy.params", message: "\(e)")
            }
            do {
                _ = try BuiltinStrategies.registry.make(name: builtIn.rawValue, parameters: params)
                return nil
            } catch let e as CastorStrategy.StrategyParameterError {
                return Problem(keyPath: e.parameter, message: "\(builtIn.rawValue): \(e)")
            } catch {
                return Problem(keyPath: nil, message: "\(builtIn.rawValue): \(error)")
            }
        }
    }
}
