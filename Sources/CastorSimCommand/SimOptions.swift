import ArgumentParser

/// The command line of the local Gemini simulator, shared by `castor sim` (which parses it
/// for its help and errors, then runs `castor-sim` with the same arguments) and `castor-sim`
/// (which runs it). Options only: no simulator code, so `castor` does not link GeminiSim.
public struct SimOptions: ParsableArguments {
    public static let abstract = "Run the local Gemini exchange simulator (plain HTTP/WS on loopback)."

    /// The default key name (`--api-key`), also the embedded simulator's.
    public static let defaultAPIKey = "account-castorsim000000001"

    @Option(help: "Address to listen on (loopback only), e.g. 127.0.0.1:8765; port 0 picks a free port.")
    public var listen: String?

    @Option(name: .customLong("ws-api-listen"),
            help: "Address of the new WebSocket API (loopback only), e.g. 127.0.0.1:8766; port 0 (the default) picks a free port.")
    public var wsAPIListen: String?

    @Option(help: "Seed for the synthetic market and random faults.")
    public var seed: UInt64?

    @Option(help: "JSON config file (see SimulatorConfig); flags override its listen, ws_api_listen and seed.")
    public var config: String?

    @Option(name: .customLong("api-key"), help: "Key name of the default account's API key.")
    public var apiKey: String = SimOptions.defaultAPIKey

    @Option(name: .customLong("api-secret"),
            help: "Secret of the default key (else CASTOR_SIM_API_SECRET, else a generated one printed once).")
    public var apiSecret: String?

    @Flag(name: .customLong("time-nonce"),
          help: "Make the default key time-based (nonce = Unix seconds ±30 s); the new WebSocket API accepts only such keys.")
    public var timeNonce = false

    @Option(name: .customLong("key-roles"),
            help: "Roles of the default key, comma-separated: trader, fundmanager, auditor (default: trader).")
    public var keyRoles: String?

    @Option(help: "Symbols to list, comma-separated (default: the simulator's own list).")
    public var symbols: String?

    /// `castor run`'s embedded simulator: the default key's secret is the first line of
    /// standard input (never on the command line, where `ps` shows it).
    @Flag(name: .customLong("secret-on-stdin"), help: .hidden)
    public var secretOnStdin = false

    /// `castor run`'s embedded simulator: stop when standard input closes (the parent closed
    /// it, or died).
    @Flag(name: .customLong("exit-on-stdin-close"), help: .hidden)
    public var exitOnStdinClose = false

    public init() {}
}
