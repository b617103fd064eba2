import CastorCore
import FlyingFox
import Foundation

/// The simulator's own endpoints under `/sim/` (not part of Gemini's API; never rate
/// limited or faulted, so tests can always steer and inspect the venue). `SimulatorRouter`
/// lets a request through only with the server's token in `X-Sim-Admin-Token` and without
/// an `Origin` header (see `SimAdminToken`); anything else gets 403.
///
/// - `GET /sim/faults`, `POST /sim/faults` (a `FaultConfig` JSON; replaces the faults)
/// - `GET /sim/ledger`: every account's orders, fills and balances — the truth to reconcile against
/// - `POST /sim/accounts`: add an account (`SimAccountConfig` JSON)
/// - `POST /sim/deposit`: `{"account": "primary", "currency": "USD", "amount": "1000"}`
/// - `POST /sim/heartbeats/expire`: run the heartbeat expiry check now
struct SimulatorAdmin {
    let core: SimulatorCore

    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let body = (try? await request.bodyData) ?? Data()
        switch (request.method, request.path) {
        case (.GET, "/sim/faults"):
            return HTTPReplies.json(await core.faultSnapshot())
        case (.POST, "/sim/faults"):
            do {
                let faults = try JSONDecoder().decode(FaultConfig.self, from: body.isEmpty ? Data("{}".utf8) : body)
                return HTTPReplies.json(try await core.setFaults(faults))
            } catch {
                return HTTPReplies.error(.badRequest("InvalidJson", "invalid fault config: \(error)"))
            }
        case (.GET, "/sim/ledger"):
            return HTTPReplies.json(await core.ledgerJSON())
        case (.POST, "/sim/accounts"):
            do {
                let account = try JSONDecoder().decode(SimAccountConfig.self, from: body)
                try await core.addAccount(account)
                return HTTPReplies.json(.object([("result", .string("ok")), ("name", .string(account.name))]))
            } catch {
                return HTTPReplies.error(.badRequest("InvalidAccount", "\(error)"))
            }
        case (.POST, "/sim/deposit"):
            guard let json = try? JSONParser.parse(body), let account = json["account"]?.stringValue,
                  let currency = json["currency"]?.stringValue,
                  let amount = json["amount"]?.numberOrStringText.flatMap(ExactDecimal.init) else {
                return HTTPReplies.error(.badRequest("InvalidJson", "expected {\"account\", \"currency\", \"amount\"}"))
            }
            switch await core.deposit(account: account, currency: currency, amount: amount) {
            case .success: return HTTPReplies.json(.object([("result", .string("ok"))]))
            case .failure(let refusal): return HTTPReplies.error(.badRequest("InvalidFundTransfer", refusal.description))
            }
        case (.POST, "/sim/heartbeats/expire"):
            let expired = await core.expireHeartbeats()
            return HTTPReplies.json(.object([("expired", .array(expired.map { .string($0) }))]))
        default:
            return HTTPReplies.error(.endpointNotFound(request.path))
        }
    }
}
