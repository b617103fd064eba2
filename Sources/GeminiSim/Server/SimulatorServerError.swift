/// Why the simulator server could not start; each case says what to do.
public enum SimulatorServerError: Error, Equatable, CustomStringConvertible {
    /// The simulator only listens on loopback: it has no TLS and test keys.
    case nonLoopbackAddress(String)
    /// Binding or listening failed (port in use, permissions…).
    case bindFailed(address: String, reason: String)
    /// `start()` was called twice.
    case alreadyStarted
    /// The config was rejected.
    case invalidConfig(SimulatorConfigError)

    public var description: String {
        switch self {
        case .nonLoopbackAddress(let host):
            "refusing to listen on \(host): the simulator serves plain HTTP with test keys and binds loopback only; use 127.0.0.1 or ::1"
        case .bindFailed(let address, let reason):
            "cannot listen on \(address): \(reason); pick another port or use port 0 for a free one"
        case .alreadyStarted:
            "the simulator server is already running; stop it before starting again"
        case .invalidConfig(let error):
            error.description
        }
    }
}
