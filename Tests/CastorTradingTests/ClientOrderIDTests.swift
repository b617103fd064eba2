import CastorCore
import Testing
@testable import CastorTrading

@Suite struct ClientOrderIDTests {
    @Test func generatorFormatAndUniquenessAcrossRestarts() throws {
        var g1 = try ClientOrderIDGenerator(prefix: "cx", boot: ClientOrderIDGenerator.bootToken(startTimeMilliseconds: 1_700_000_000_000))
        let a = try g1.next(), b = try g1.next()
        #expect(a.rawValue == "cx-\(g1.boot)-1")
        #expect(b.rawValue == "cx-\(g1.boot)-2")
        // Restart: new boot token and the journal's last counter.
        var g2 = try ClientOrderIDGenerator(prefix: "cx", boot: ClientOrderIDGenerator.bootToken(startTimeMilliseconds: 1_700_000_000_001), lastCounter: g1.lastCounter)
        let c = try g2.next()
        #expect(c != a && c != b)
        #expect(ClientOrderIDGenerator.parse(c)?.counter == 3)
        #expect(g2.isOurs(a))
        #expect(!g2.isOurs(ClientOrderID("20190110-4738721")!))
        var seen = Set<ClientOrderID>()
        for _ in 0..<1000 { #expect(seen.insert(try g2.next()).inserted) }
    }

    @Test func generatorRefusesBadConfiguration() {
        #expect(throws: ClientOrderIDGenerator.ConfigurationError.invalidPrefix("c-x")) { try ClientOrderIDGenerator(prefix: "c-x", boot: "b") }
        #expect(throws: ClientOrderIDGenerator.ConfigurationError.invalidBootToken("")) { try ClientOrderIDGenerator(prefix: "cx", boot: "") }
        #expect(throws: (any Error).self) { try ClientOrderIDGenerator(prefix: String(repeating: "p", count: 15), boot: "bbbbbbbb") }
        // The longest id still fits 36 characters.
        var g = try! ClientOrderIDGenerator(prefix: "p", boot: String(repeating: "b", count: 21), lastCounter: 999_999_999_998)
        #expect((try? g.next())?.rawValue.count == 36)
        #expect(throws: ClientOrderIDGenerator.ConfigurationError.exhausted) { try g.next() }
    }
}
