import ArgumentParser
import CastorStrategies
import CastorStrategy
import Foundation

/// `castor list-strategies`: the built-in strategies (and those of plug-ins named with
/// `--plugin`) with each parameter, its kind and its default.
struct ListStrategiesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list-strategies",
        abstract: "List the built-in strategies (and a plug-in's) with their parameters and defaults.",
        discussion: """
        "1st symbol": without it, the first of [engine] symbols. Each parameter goes under [strategy.params] in the configuration, or --param k=v for \
        castor backtest. A plug-in lists its parameters only if its factories declare them. \
        Exit 0; 78 when a --plugin cannot be loaded.
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "Output format: text (a table per strategy) or json.")
    var format: Format = .text

    @Option(name: .customLong("plugin"), help: "Also list the strategies of this plug-in library (repeatable).")
    var plugins: [String] = []

    func run() throws {
        var entries = BuiltinStrategies.factories.map { Entry(factory: $0, source: "built-in") }
        for path in plugins {
            do {
                let plugin = try PluginLoader.load(path: path)
                entries += plugin.factories.map { Entry(factory: $0, source: "plug-in \(plugin.pluginName) (\(path))") }
            } catch {
                ErrorOutput.write(["castor list-strategies: --plugin \(path): \(error)"])
                throw ExitCode(RunExitCode.config)
            }
        }
        print(format == .json ? Self.json(entries) : Self.text(entries), terminator: "")
    }

    struct Entry {
        var factory: any StrategyFactory
        var source: String
    }

    static func text(_ entries: [Entry]) -> String {
        var out = ""
        for (i, e) in entries.enumerated() {
            if i > 0 { out += "\n" }
            out += "\(e.factory.name) (\(e.source))" + (e.factory.summary.isEmpty ? "" : ": \(e.factory.summary)") + "\n"
            let specs = e.factory.parameters
            guard !specs.isEmpty else {
                out += "  (its parameters are not declared; see the plug-in's documentation)\n"
                continue
            }
            let rows = specs.map { s in [s.name, s.kind.rawValue, s.isRequired ? "required" : s.defaultsToFirstSymbol ? "1st symbol" : (s.defaultValue ?? "-"), s.summary] }
            let widths = (0..<3).map { c in max(rows.map { $0[c].count }.max() ?? 0, ["parameter", "kind", "default"][c].count) }
            func line(_ cells: [String]) -> String {
                "  " + cells.prefix(3).enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ") + "  " + cells[3]
            }
            out += line(["parameter", "kind", "default", "meaning"]) + "\n"
            for r in rows { out += line(r) + "\n" }
        }
        return out
    }

    static func json(_ entries: [Entry]) -> String {
        let objects: [[String: Any]] = entries.map { e in
            [
                "name": e.factory.name, "summary": e.factory.summary, "source": e.source,
                "parameters": e.factory.parameters.map { s -> [String: Any] in
                    ["name": s.name, "kind": s.kind.rawValue, "required": s.isRequired, "default_first_symbol": s.defaultsToFirstSymbol,
                     "default": s.defaultValue.map { $0 as Any } ?? NSNull(), "summary": s.summary]
                },
            ]
        }
        let data = (try? JSONSerialization.data(withJSONObject: ["strategies": objects], options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
