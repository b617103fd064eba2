import ArgumentParser
import CastorConfig
import CastorStrategies
import CastorStrategy
import Foundation

/// `castor show-config [FILE]`: the configuration `castor run` would use, every default
/// written out, as TOML that reads back to the same configuration.
struct ShowConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show-config",
        abstract: "Print the resolved configuration, defaults included, as TOML (never a secret).",
        discussion: """
        Without FILE, the built-in default (castor run with no --config: the embedded simulator). \
        A built-in strategy's parameters the file leaves out are listed with the default it uses. \
        Exit 0; 78 for an invalid file (every problem on stderr, as check-config prints them).
        """
    )

    @Argument(help: "The TOML configuration file (default: none, the built-in configuration).")
    var file: String?

    func run() throws {
        var config = CastorConfiguration.default
        if let file {
            do {
                config = try CastorConfiguration.load(path: file)
            } catch {
                ErrorOutput.write(error.description.split(separator: "\n").map(String.init))
                throw ExitCode(RunExitCode.config)
            }
        }
        print(ConfigurationTOMLWriter.toml(config, defaultParameters: Self.defaults(for: config)), terminator: "")
    }

    /// A built-in's declared parameters; a plug-in is not loaded just to show a file.
    static func defaults(for config: CastorConfiguration) -> [ConfigurationTOMLWriter.DefaultParameter] {
        guard case .builtIn(let builtIn) = config.strategy.selection,
              let factory = BuiltinStrategies.factories.first(where: { $0.name == builtIn.rawValue }) else { return [] }
        return factory.parameters.map { spec in
            if spec.defaultsToFirstSymbol, let first = config.engine.symbols.first {
                return .init(name: spec.name, value: ConfigurationTOMLWriter.quoted(first), note: "the first of [engine] symbols; \(spec.summary)")
            }
            return ConfigurationTOMLWriter.DefaultParameter(
                name: spec.name, value: spec.isRequired ? nil : spec.defaultValue,
                note: spec.isRequired ? "required: \(spec.summary)" : spec.summary)
        }
    }
}
