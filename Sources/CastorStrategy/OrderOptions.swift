/// The execution option of a limit order. Gemini accepts at most one option per order
/// (API.md §3.1), which is why this is a single enum rather than a set.
public enum OrderOptions: String, Sendable, Hashable, CaseIterable {
    /// A plain good-till-cancelled limit order: fills what crosses, rests the remainder.
    case none = ""
    /// Post-only: cancelled whole if any part would take liquidity.
    case makerOrCancel = "maker-or-cancel"
    /// Fills what it can immediately and cancels the rest.
    case immediateOrCancel = "immediate-or-cancel"
    /// Fills completely and immediately, or not at all.
    case fillOrKill = "fill-or-kill"
}
