/// The exit codes of `castor run`, from sysexits(3) where one fits, so systemd units can
/// tell "fix the configuration" (no point restarting: `RestartPreventExitStatus=78`) from
/// "the venue was unreachable" (restart later).
enum RunExitCode {
    /// Graceful shutdown (SIGTERM/SIGINT) completed in time.
    static let clean: Int32 = 0
    /// Shutdown was forced: a second signal, the shutdown deadline passed, or the engine
    /// reported it ran out of time (open orders may remain: check them).
    static let forced: Int32 = 1
    /// Bad command-line arguments (ArgumentParser's validation error).
    static let usage: Int32 = 64
    /// Start-up failed for a reason that may go away: the venue, a feed or the embedded
    /// simulator did not come up, or start-up timed out. Also after a reload that replaced
    /// the engine when neither the new nor the previous configuration's engine started.
    /// Restarting later may help.
    static let unavailable: Int32 = 69
    /// The state directory / journal could not be created or opened.
    static let cannotCreate: Int32 = 73
    /// The configuration or credentials are wrong: invalid file, missing keys for a real
    /// venue, unknown symbol or strategy, an API key without the Trader role.
    static let config: Int32 = 78
}
