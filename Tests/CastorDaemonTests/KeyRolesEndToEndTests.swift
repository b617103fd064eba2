import CastorTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Least privilege (Gemini's key guidance): `castor run` checks the key's roles at start and
/// refuses, with exit 78 and the fix, a key that can withdraw funds or cannot trade.
@Suite("castor run key roles", .serialized, .timeLimit(.minutes(3)), .tags(.slow),
       .enabled(if: CastorProcess.binary != nil, "build the castor product first"))
struct KeyRolesEndToEndTests {
    static func run(_ sim: ExternalSimulator, extra: String = "", _ tag: String) throws -> CastorProcess {
        let state = try CastorProcess.temporaryDirectory(tag)
        try (sim.configuration() + "\n" + extra).write(toFile: state + "/castor.toml", atomically: true, encoding: .utf8)
        return try CastorProcess(arguments: ["run", "--config", state + "/castor.toml"],
                                 environment: sim.credentialsEnvironment.merging(["STATE_DIRECTORY": state]) { $1 })
    }

    static func startFailure(_ castor: CastorProcess) async -> String {
        let line = await castor.waitForJSON(timeout: 60) { ($0["message"] as? String)?.contains("Fund Manager") == true
            || ($0["message"] as? String)?.contains("Auditor") == true
            || ($0["detail"] as? String)?.contains("Fund Manager") == true
            || ($0["detail"] as? String)?.contains("Auditor") == true }
        return line.map { "\($0.object)" } ?? castor.allLines.suffix(20).joined(separator: "\n")
    }

    @Test func aKeyThatCanWithdrawIsRefusedWithExit78AndTheFix() async throws {
        let sim = try await ExternalSimulator(keyRoles: "trader,fundmanager")
        let castor = try Self.run(sim, "roles-fund")
        #expect(await castor.waitForExit(timeout: 120) == 78, "\(castor.allLines.suffix(20).joined(separator: "\n"))")
        let said = await Self.startFailure(castor)
        #expect(said.contains("allow_fund_manager"), "\(said)")
        // Refused before anything was placed.
        let orders = try await sim.ledger()["orders"] as? [[String: Any]] ?? []
        #expect(orders.isEmpty)
    }

    @Test func anAuditorOnlyKeyIsRefusedWithExit78() async throws {
        let sim = try await ExternalSimulator(keyRoles: "auditor")
        let castor = try Self.run(sim, "roles-auditor")
        #expect(await castor.waitForExit(timeout: 120) == 78, "\(castor.allLines.suffix(20).joined(separator: "\n"))")
        let said = await Self.startFailure(castor)
        #expect(said.contains("read-only"), "\(said)")
    }

    @Test func anOperatorMayAllowAFundManagerKeyAndIsWarned() async throws {
        let sim = try await ExternalSimulator(keyRoles: "trader,fundmanager")
        let castor = try Self.run(sim, extra: "[account]\nallow_fund_manager = true\n", "roles-allowed")
        let warned = await castor.waitForJSON(timeout: 120) { $0["event"] as? String == "engine.key_can_withdraw" }
        #expect(warned?.object["reason"] as? String == "allow_fund_manager", "\(castor.allLines.suffix(20).joined(separator: "\n"))")
        #expect(await castor.waitForJSON(timeout: 120) { $0["event"] as? String == "engine.roles_checked" } != nil)
        castor.signal(SIGTERM)
        #expect(await castor.waitForExit(timeout: 60) == 0)
    }
}
