import CastorConfig
import CastorTrading
import struct GeminiProtocol.APICredentials

/// Who this engine is, fixed at creation: the venue it talks to, the key it trades with,
/// its client-order-id prefix and boot token, and when it was made.
struct EngineIdentity {
    /// REST base URL and WebSocket URLs.
    let endpoints: EngineEndpoints
    /// The API key (never logged); nil: the engine cannot start.
    let credentials: APICredentials?
    /// `Engine.clientOrderIDPrefix` and the key's tag (`ClientOrderIDGenerator.instancePrefix`).
    /// Orders without it are foreign.
    let ownPrefix: String
    /// This run's token in every client order id (`ClientOrderIDGenerator.bootToken`).
    let bootToken: String
    /// Engine-clock time of creation (Unix ms).
    let startedAtMs: Int64
    /// Its Prometheus instruments (no-ops unless the daemon serves metrics).
    let metrics: EngineMetrics
}
