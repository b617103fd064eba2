import Testing
@testable import CastorConfig

@Suite struct KeyLocatorTests {
    @Test func headersDottedQuotedAndInlineKeys() {
        let locator = TOMLKeyLocator(text: """
            # comment with key = value
            top = 1
            [risk]
            max_position = "1" # trailing = comment
            [risk.symbols."BTC.USD"]
            kill_switch = true
            [[arrays.item]]
            a.b.c = 3
            [strategy]
            plugin = { path = "/x", name = "y" }
            text = \"\"\"
            fake = 1
            \"\"\"
            after = 2
            """)
        #expect(locator.line(of: ["top"]) == 2)
        #expect(locator.line(of: ["risk"]) == 3)
        #expect(locator.line(of: ["risk", "max_position"]) == 4)
        #expect(locator.line(of: ["risk", "symbols", "BTC.USD"]) == 5)
        #expect(locator.line(of: ["risk", "symbols", "BTC.USD", "kill_switch"]) == 6)
        #expect(locator.line(of: ["arrays", "item", "a", "b", "c"]) == 8)
        #expect(locator.line(of: ["strategy", "plugin", "path"]) == 10)
        #expect(locator.line(of: ["strategy", "fake"]) == 9)
        #expect(locator.line(of: ["strategy", "after"]) == 14)
        #expect(locator.line(of: ["nowhere"]) == nil)
    }
}
