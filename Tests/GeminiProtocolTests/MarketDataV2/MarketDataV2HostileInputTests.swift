import CastorCore
import Foundation
import GeminiProtocol
import Testing

/// Hostile or truncated market data is refused, never read past its end nor let out of
/// the decimal range downstream arithmetic relies on.
@Suite struct MarketDataV2HostileInputTests {
    /// A frame that ends right after the digits of a price: the fast scanner looked at the
    /// byte after the frame (`p[d]` with `d == n`). The frame is placed against an
    /// inaccessible page, so that one-byte over-read faults instead of passing unseen.
    @Test func frameEndingInsideANumberIsNotReadPastItsEnd() throws {
        let frames = [
            #"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","12"#,
            #"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","1234567"#,
            #"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","1.5","2"#,
            #"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","1.5","2.25"#,
        ]
        for frame in frames {
            try withBytesAgainstGuardPage(Array(frame.utf8)) { message in
                var decoder = MarketDataV2Decoder(symbols: SymbolTable(["BTCUSD"]))
                var handler = RecordingHandler()
                #expect(throws: MarketDataV2DecodingError.self, "\(frame)") {
                    _ = try decoder.decode(message, into: &handler)
                }
                #expect(handler.callCount == 0)
            }
        }
    }

    /// Prices and quantities beyond `WireDecimal`'s range (magnitude 10^20, 18 places) are
    /// an invalid value, on the general path (the fast path takes at most 18 digits).
    @Test(arguments: [
        "100000000000000000000", "99999999999999999999999999999999999999", "1e30",
        "0.0000000000000000001", "-100000000000000000000",
    ])
    func decimalsOutOfRangeAreRefused(_ value: String) {
        var decoder = MarketDataV2Decoder(symbols: SymbolTable(["BTCUSD"]))
        let text = #"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","1","\#(value)"]]}"#
        #expect(throws: MarketDataV2DecodingError.self, "\(value)") { _ = try decode(text, &decoder) }
    }

    @Test func decimalsInRangeStillDecode() throws {
        var decoder = MarketDataV2Decoder(symbols: SymbolTable(["BTCUSD"]))
        let text = #"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","99999999999999999999.999999999999999999","1.5000000000000000000000"]]}"#
        let (_, handler) = try decode(text, &decoder)
        let change = try #require(handler.l2.first?.changes.first)
        #expect(change.price.description == "99999999999999999999.999999999999999999")
        #expect(change.quantity.description == "1.5")
    }

    /// Calls `body` with `bytes` copied so that they end exactly where a `PROT_NONE` page
    /// starts.
    private func withBytesAgainstGuardPage(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        precondition(bytes.count <= page)
        guard let region = mmap(nil, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              region != MAP_FAILED
        else { throw POSIXError(.ENOMEM) }
        defer { munmap(region, 2 * page) }
        #expect(mprotect(region + page, page, PROT_NONE) == 0)
        let start = region + page - bytes.count
        bytes.withUnsafeBytes { start.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        try body(UnsafeRawBufferPointer(start: start, count: bytes.count))
    }
}
