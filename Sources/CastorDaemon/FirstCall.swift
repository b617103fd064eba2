/// True for the first `claim()` only: settles a race between a completion and its
/// deadline. Confined to the engine queue (both callers run there).
///
/// `CastorEngine` has its own; the shell does not import the engine, so it keeps this copy.
final class FirstCall: @unchecked Sendable {
    private var claimed = false

    func claim() -> Bool {
        defer { claimed = true }
        return !claimed
    }
}
