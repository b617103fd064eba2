/// Buy or sell, stored as Gemini's lower-case REST spelling (`/v1/mytrades` says `Buy`/`Sell`;
/// callers normalise before recording).
public enum JournalSide: String, Sendable, Hashable, CaseIterable {
    case buy
    case sell
}
