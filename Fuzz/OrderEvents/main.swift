// libFuzzer harness: order events decode -> sequence tracker -> order manager.
//
// Input: frames separated by '\n', as received on /v1/order/events. Before decoding,
// "@0" and "@1" in a frame are replaced by the client order ids of two orders the
// harness submitted, so events can reach the manager's own orders (not just the
// "foreign order" path).
//
// Oracles: no trap anywhere (decode, sequence bookkeeping, order manager, exposure and
// fill ledger arithmetic); a gap verdict ends the connection (later frames are fed to a
// fresh tracker, as a reconnect would); open exposure never negative.

import Foundation

func fail(_ message: String, _ frame: String) -> Never {
    fputs("FUZZ ORACLE FAILED: \(message)\n  frame: \(frame.debugDescription)\n", stderr)
    abort()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    guard let generator = try? ClientOrderIDGenerator(prefix: "cx", boot: "fz01") else { fatalError("generator") }
    var manager = OrderManager(generator: generator, seed: 1)
    var now: Int64 = 1_700_000_000_000
    var ids: [String] = []
    for (i, side) in [Side.buy, Side.sell].enumerated() {
        let intent = OrderIntent(symbol: Symbol("BTCUSD"), side: side, amount: ExactDecimal(mantissa: 1, scale: 0),
                                 price: ExactDecimal(mantissa: Int128(10000 + i), scale: 2))
        let (id, _) = manager.submit(intent, now: now)
        ids.append(id?.rawValue ?? "cx-none-\(i)")
    }
    var tracker = OrderEventsSequenceTracker()
    var start = 0, frames = 0
    while start <= size, frames < 32 {
        var end = start
        while end < size, input[end] != 0x0A { end += 1 }
        frames += 1
        var text = String(decoding: UnsafeRawBufferPointer(rebasing: input[start..<end]), as: UTF8.self)
        start = end + 1
        if text.contains("@") {
            text = text.replacingOccurrences(of: "@0", with: ids[0]).replacingOccurrences(of: "@1", with: ids[1])
        }
        now += 250
        guard let message = try? OrderEventsDecoder.decode(Data(text.utf8)) else { continue }
        _ = message.socketSequence
        switch tracker.accept(message) {
        case .reconnect(let cause):
            _ = cause.description
            tracker = OrderEventsSequenceTracker()
            continue
        case .deliver(let completed):
            for event in completed ?? [] { if let r = OrderReport(gemini: event) { _ = manager.handle(event: r, now: now) } }
        }
        if case .events(let events) = message {
            for event in events { if let r = OrderReport(gemini: event) { _ = manager.handle(event: r, now: now) } }
        }
        let exposure = manager.exposure(Symbol("BTCUSD"))
        if exposure.openOrders < 0 || exposure.openBuy.isNegative || exposure.openSell.isNegative {
            fail("negative exposure \(exposure)", text)
        }
    }
    _ = manager.removeClosed()
    return 0
}
