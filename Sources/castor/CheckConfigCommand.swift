import ArgumentParser
import CastorConfig
import CastorEngine
import Foundation

/// `castor check-config FILE`: validates a configuration without starting anything.
///
/// Beyond the file itself, the strategy is checked: a built-in is constructed with its
/// `[strategy.params]` (errors point at the parameter's line), a plug-in's library must exist.
///
/// Prints `FILE: OK` and a one-line summary, or every problem (one per line, `file:line: key:
/// what is wrong`) on stderr and exits 78 (`EX_CONFIG`, as `castor run` does on a bad file),
/// so the unit's `ExecReload=` and deploy scripts refuse a bad file before the daemon ever
/// sees it, and nothing that restarts on failure retries a file that cannot get better.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a Castor configuration file and print every problem found.",
        discussion: "Exit codes: 0 valid, 64 usage, 78 invalid file (or, with --credentials, missing credentials)."
    )

    @Argument(help: "The TOML configuration file to check.")
    var file: String

    @Flag(help: "Also check that API credentials are available for the configured venue (from CASTOR_API_KEY/CASTOR_API_SECRET or $CREDENTIALS_DIRECTORY).")
    var credentials = false

    func run() throws {
        let config: CastorConfiguration, issues: [ConfigurationIssue], text: String
        do {
            text = try CastorConfiguration.readText(path: file)
            (config, issues) = try CastorConfiguration.parseReportingAll(text: text, fileName: file)
        } catch {
            ErrorOutput.write(error.description.split(separator: "\n").map(String.init))
            throw ExitCode(RunExitCode.config)
        }
        // One run lists every problem: the strategy is checked too unless what it is built
        // from (`[strategy]`, `engine.symbols`) is itself wrong, which would only add noise.
        var found = issues.map { (line: $0.line ?? 0, text: $0.description) }
        let strategyInputsRead = !issues.contains { $0.keyPath.hasPrefix("strategy") || $0.keyPath.hasPrefix("engine.symbols") }
        if strategyInputsRead, let problem = StrategyValidation.problem(in: config) {
            let line = problem.keyPath.flatMap { CastorConfiguration.line(of: $0, in: text) }
            found.append((line ?? 0, "\(file)\(line.map { ":\($0)" } ?? ""): \(problem.message)"))
        }
        guard found.isEmpty else {
            // In line order, as an editor would walk them.
            ErrorOutput.write(found.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element.text))
            throw ExitCode(RunExitCode.config)
        }
        if credentials {
            do {
                let loaded = try CredentialsLoader(environment: ProcessInfo.processInfo.environment).load(for: config.venue)
                print(loaded.map { "credentials: key \($0.key)" } ?? "credentials: none (simulator)")
            } catch {
                ErrorOutput.write(["\(file): \(error.description)"])
                throw ExitCode(RunExitCode.config)
            }
        }
        print("\(file): OK")
        print(config.summary)
    }
}
