import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `castor sim` as its own process, so its ledger outlives a `castor run` killed with -9.
final class ExternalSimulator {
    static let apiKey = "account-castorsim000000001"
    let secret = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    let process: CastorProcess
    let restURL: String
    let webSocketURL: String
    /// The new WebSocket API's base (`sim.ready`'s `ws_api`).
    let webSocketAPIURL: String
    /// The token `castor sim` printed in `sim.ready`, for the `/sim/*` endpoints.
    let adminToken: String

    /// - Parameter keyRoles: `castor sim --key-roles` (default: the simulator's, Trader).
    init(keyRoles: String? = nil) async throws {
        process = try CastorProcess(arguments: ["sim", "--listen", "127.0.0.1:0", "--api-key", Self.apiKey,
                                                "--api-secret", secret] + (keyRoles.map { ["--key-roles", $0] } ?? []),
                                    environment: [:])
        guard let ready = await process.waitForJSON(timeout: 60, { $0["event"] as? String == "sim.ready" })?.object,
              let rest = ready["rest"] as? String, let ws = ready["ws"] as? String,
              let wsAPI = ready["ws_api"] as? String, let token = ready["admin_token"] as? String else {
            throw SimulatorDidNotStart(output: process.allLines.joined(separator: "\n"))
        }
        restURL = rest
        webSocketURL = ws
        webSocketAPIURL = wsAPI
        adminToken = token
    }

    deinit {
        process.signal(SIGTERM)
        // Reaped on a thread of its own: a deinit may run on the cooperative pool.
        let process = process
        Thread { _ = process.waitForExitBlocking(timeout: 10) }.start()
    }

    struct SimulatorDidNotStart: Error, CustomStringConvertible {
        let output: String
        var description: String { "castor sim did not print sim.ready:\n\(output)" }
    }

    /// A `castor run` configuration pointing at this simulator.
    func configuration(strategy: String = "market-maker", extra: String = "") -> String {
        """
        [venue]
        name = "custom"
        rest_url = "\(restURL)"
        websocket_url = "\(webSocketURL)"

        [strategy]
        name = "\(strategy)"
        \(extra)
        """
    }

    /// Environment giving `castor run` this simulator's key.
    var credentialsEnvironment: [String: String] { ["CASTOR_API_KEY": Self.apiKey, "CASTOR_API_SECRET": secret] }

    /// Replaces the simulator's faults (`POST /sim/faults`, a `FaultConfig` JSON).
    func setFaults(_ json: String) async throws {
        var request = URLRequest(url: URL(string: restURL + "/sim/faults")!)
        request.httpMethod = "POST"
        request.setValue(adminToken, forHTTPHeaderField: "X-Sim-Admin-Token")
        request.httpBody = Data(json.utf8)
        let (body, response) = try await URLSession.shared.data(for: request)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else {
            throw FaultsRefused(answer: String(decoding: body, as: UTF8.self))
        }
    }

    struct FaultsRefused: Error, CustomStringConvertible {
        let answer: String
        var description: String { "POST /sim/faults refused: \(answer)" }
    }

    /// The primary account's entry in `GET /sim/ledger`.
    func ledger() async throws -> [String: Any] {
        var request = URLRequest(url: URL(string: restURL + "/sim/ledger")!)
        request.setValue(adminToken, forHTTPHeaderField: "X-Sim-Admin-Token")
        let (data, _) = try await URLSession.shared.data(for: request)
        let root = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let accounts = root?["accounts"] as? [[String: Any]] ?? []
        return accounts.first { ($0["keys"] as? [String])?.contains(Self.apiKey) == true } ?? [:]
    }
}
