import Testing
@testable import CastorWebSocket

@Suite struct MaskPoolTests {
    private func keys(_ pool: MaskPool, count: Int, size: Int = 4) -> [[UInt8]] {
        (0..<count).map { _ in
            var key = [UInt8](repeating: 0, count: size)
            let ok = key.withUnsafeMutableBytes { pool.take(size, into: $0.baseAddress!) }
            #expect(ok)
            return key
        }
    }

    @Test func everyKeyIsFreshAcrossRefills() {
        // 1,000 keys cross the 256-byte pool's refill 15 times; random 32-bit keys repeat
        // among 1,000 with probability about 1e-4, a stuck or reused pool at once.
        let all = keys(MaskPool(), count: 1_000)
        #expect(Set(all).count >= 999)
        #expect(!all.contains([0, 0, 0, 0]) || Set(all).count == 1_000)
    }

    @Test func twoConnectionsDoNotShareKeys() {
        let a = keys(MaskPool(), count: 64), b = keys(MaskPool(), count: 64)
        #expect(Set(a).intersection(Set(b)).count <= 1)
    }

    @Test func aRequestLargerThanThePoolIsServedDirectly() {
        let big = keys(MaskPool(), count: 2, size: 1_000)
        #expect(big[0] != big[1])
        #expect(Set(big[0]).count > 100)
    }
}
