import CastorConfig
import CastorStrategies
import CastorStrategy

/// The running strategy and what it was built from.
final class StrategySlot {
    let name: String
    let selection: StrategySelection
    let instance: any Strategy
    var parameters: StrategyParameterTable

    init(name: String, selection: StrategySelection, instance: any Strategy, parameters: StrategyParameterTable) {
        self.name = name
        self.selection = selection
        self.instance = instance
        self.parameters = parameters
    }
}

/// Turns a `[strategy]` selection into a strategy instance: built-ins by name, plug-ins
/// through `PluginLoader`. Everything that can fail is done here, before the running
/// strategy is touched, so a failure leaves the old one in charge.
enum StrategyCatalog {
    /// - Parameters:
    ///   - symbols: `[engine] symbols`, which a strategy's `symbol` parameter defaults to
    ///     (the first of them).
    ///   - extra: factories registered on top of the built-ins (tests, embedders).
    static func make(_ selection: StrategySelection, parameters: StrategyParameterTable,
                     symbols: [String], extra: [any StrategyFactory]) -> Result<any Strategy, EngineError> {
        let params: StrategyParameters
        switch convert(parameters, symbols: symbols) {
        case .success(let p): params = p
        case .failure(let e): return .failure(e)
        }
        do {
            switch selection {
            case .builtIn(let builtIn):
                var registry = BuiltinStrategies.registry
                for f in extra { registry.register(f) }
                return .success(try registry.make(name: builtIn.rawValue, parameters: params))
            case .plugin(let path, let name):
                if let f = extra.first(where: { $0.name == name }) {
                    return .success(try f.make(parameters: params))
                }
                let factory = try PluginLoader.factory(path: path, name: name)
                return .success(try factory.make(parameters: params))
            }
        } catch {
            return .failure(.strategy("\(selection.name): \(error)"))
        }
    }

    /// The config's parameter values as the strategy API's. Arrays and tables have no
    /// strategy-side type, so they are refused by name rather than silently flattened.
    static func convert(_ p: StrategyParameterTable, symbols: [String]) -> Result<StrategyParameters, EngineError> {
        var values: [String: ParameterValue] = [:]
        for key in p.keys {
            switch p[key]! {
            case .string(let s): values[key] = .string(s)
            case .integer(let i): values[key] = .int(i)
            case .bool(let b): values[key] = .bool(b)
            case .array, .table:
                return .failure(.strategy("strategy.params.\(key): arrays and tables are not supported by the strategy API"))
            }
        }
        return .success(StrategyParameters(values, symbols: symbols))
    }
}
