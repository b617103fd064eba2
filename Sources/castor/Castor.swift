import ArgumentParser

/// The `castor` command: a trading daemon for the Gemini exchange and its tools.
@main
struct Castor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "castor",
        abstract: "A trading daemon for the Gemini exchange.",
        subcommands: [RunCommand.self, SimCommand.self, CheckConfigCommand.self, ReplayCommand.self, BacktestCommand.self]
    )
}
