import ArgumentParser

/// The `castor` command: a trading daemon for the Gemini exchange and its tools.
@main
struct Castor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "castor",
        abstract: "A trading daemon for the Gemini exchange.",
        // `castor --version`: the release and the plug-in ABI a strategy plug-in must match.
        version: CastorVersion.text,
        subcommands: [RunCommand.self, SimCommand.self, CheckConfigCommand.self, ReplayCommand.self, BacktestCommand.self, RecordCommand.self,
                      StatusCommand.self, KillSwitchCommand.self, ReloadCommand.self, ListStrategiesCommand.self,
                      ShowConfigCommand.self, NewStrategyCommand.self]
    )
}
