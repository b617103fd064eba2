import Glibc
import CastorCore
import GeminiProtocol

/// How many prices need each number of decimals (trailing zeros ignored), to choose a grid.
struct ScaleHistogram {
    /// counts[d]: prices with exactly d decimals, 0...18; counts[19]: more than 18.
    private var counts = [Int](repeating: 0, count: 20)
    private var total = 0

    /// Counts the price whose key (`price × 10^20`) is `key`.
    mutating func add(key: Int128) {
        var k = key.magnitude
        var decimals = Int(L2OrderBook.keyScale)
        if k == 0 { decimals = 0 }
        // Strip whole groups of zeros first: 10^8, then single digits.
        while decimals >= 8, k % 100_000_000 == 0 { k /= 100_000_000; decimals -= 8 }
        while decimals > 0, k % 10 == 0 { k /= 10; decimals -= 1 }
        counts[min(decimals, 19)] += 1
        total += 1
    }

    /// The fewest decimals that 95 % of the prices need, or -1 when there are none (or
    /// when more than 5 % need over 18).
    func tickScale() -> Int {
        guard total > 0 else { return -1 }
        var covered = 0
        for d in 0...18 {
            covered += counts[d]
            if covered * 20 >= total * 19 { return d }
        }
        return -1
    }
}
