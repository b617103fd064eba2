import CastorCore

/// What the scan of one frame found; read only when the scan succeeded.
struct WSAPIFastFields {
    /// Keys seen, one bit each (`WSAPIFastFields.e` …).
    var seen = 0
    /// `e` was `"trade"` (else, when seen, `"depthUpdate"`).
    var eventIsTrade = false
    var symbolStart = 0, symbolLength = 0
    /// Levels written to the scratch.
    var count = 0
    var first: Int64 = 0, last: Int64 = 0, time: Int64 = 0, tradeID: Int64 = 0
    // Not `.zero`: a global's accessor call per frame.
    var price = ExactDecimal(mantissa: 0, scale: 0), quantity = ExactDecimal(mantissa: 0, scale: 0)
    var buyerIsMaker = false

    static let e = 1, E = 2, s = 4, U = 8, u = 16, b = 32, a = 64, t = 128, p = 256, q = 512, m = 1024
    /// The keys a plain `depthUpdate` may have, and those it must have.
    static let depthKeys = e | E | s | U | u | b | a, depthRequired = e | s | U | u
    /// The same for a trade (`e` is optional: the feed's trades have none).
    static let tradeKeys = e | E | s | t | p | q | m, tradeRequired = s | t | p | q | m
}
