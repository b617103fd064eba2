import Testing
@testable import CastorConfig

/// `[account] allow_fund_manager`: off unless written, a boolean or a clear error.
@Suite struct AccountRolesConfigTests {
    static func parse(_ text: String) throws -> CastorConfiguration {
        try CastorConfiguration.parse(text: text, fileName: "castor.toml", environment: ["HOME": "/home/op"])
    }

    @Test func aKeyThatCanWithdrawIsNotAllowedUnlessTheFileSaysSo() throws {
        #expect(!CastorConfiguration(environment: [:]).account.allowFundManager)
        #expect(try !Self.parse("[account]\nrequire_heartbeat = true\n").account.allowFundManager)
        #expect(try Self.parse("[account]\nallow_fund_manager = true\n").account.allowFundManager)
    }

    @Test func aValueThatIsNotABooleanNamesTheKey() {
        do {
            _ = try CastorConfiguration.parse(text: "[account]\nallow_fund_manager = \"yes\"\n", fileName: "castor.toml",
                                              environment: ["HOME": "/home/op"])
            Issue.record("a string was accepted")
        } catch {
            #expect(error.issues.contains { "\($0)".contains("allow_fund_manager") }, "\(error.issues)")
        }
    }
}
