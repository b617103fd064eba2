/// The execution option of a limit order, as strategies ask for it, the order manager
/// records it and the REST client sends it. Gemini accepts at most one option per order
/// (API.md §3.1), so an order carries an `OrderOption?`: nil is a plain good-till-cancelled
/// limit order (fills what crosses, rests the remainder).
///
/// The raw value is Gemini's spelling in the `options` array of `/v1/order/new` (and what
/// the journal stores for an intent).
public enum OrderOption: String, Sendable, Hashable, CaseIterable {
    /// Post-only: cancelled whole if any part would take liquidity.
    case makerOrCancel = "maker-or-cancel"
    /// Fills what it can immediately and cancels the rest.
    case immediateOrCancel = "immediate-or-cancel"
    /// Fills completely and immediately, or not at all.
    case fillOrKill = "fill-or-kill"
}
