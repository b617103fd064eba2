import CastorTrading
import GeminiClient
import GeminiProtocol

extension GeminiClientError {
    /// The order manager's view of this failure.
    ///
    /// A request refused before sending (`invalidRequest`) is presented as an exchange
    /// rejection so the manager gives up after its lookup instead of resending it.
    public var venueFailure: VenueFailure {
        switch self {
        case .exchange(let status, let body): return .exchange(VenueRefusal(gemini: body, httpStatus: status), httpStatus: status)
        case .transport(let error):
            guard error.requestMayHaveBeenSent else { return .notSent("\(error)") }
            if case .timedOut = error { return .timeout }
            return .network("\(error)")
        case .decoding(let endpoint, let error): return .network("undecodable answer from \(endpoint): \(error)")
        case .unsent(let endpoint, let why): return .notSent("\(endpoint): \(why)")
        case .invalidRequest(let why):
            return .exchange(VenueRefusal(gemini: GeminiErrorBody(reason: "InvalidRequest", message: why), httpStatus: 400),
                             httpStatus: 400)
        case .nonce(let error): return .notSent("no nonce: \(error)")
        }
    }
}
