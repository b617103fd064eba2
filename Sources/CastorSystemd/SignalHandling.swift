#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The signals the daemon handles through `SignalSource`.
public enum Signal: Sendable, CaseIterable {
    /// Reload the configuration.
    case hangup
    /// Interrupt from the terminal: graceful shutdown.
    case interrupt
    /// systemd's stop request: graceful shutdown.
    case terminate
    /// Operator request: engage the kill switch (`castor run` never releases it on a signal).
    case user1

    /// The platform's signal number.
    public var number: Int32 {
        switch self {
        case .hangup: SIGHUP
        case .interrupt: SIGINT
        case .terminate: SIGTERM
        case .user1: SIGUSR1
        }
    }
}

/// Process-wide signal setup that must happen before any thread exists.
///
/// On Linux libdispatch reads signals through a `signalfd`, which only sees signals that
/// every thread blocks; a thread created before the mask is set would take the default
/// action instead (exit 129 for SIGHUP). Threads inherit the mask of their creator, so
/// blocking at the very top of `main` covers every thread Dispatch starts later.
public enum SignalHandling {
    /// Blocks `signals` in the calling thread (and so in every thread it creates later).
    /// Call first thing in `main`, before Dispatch, logging or anything else starts threads.
    public static func blockSignals(_ signals: [Signal] = [.hangup, .terminate, .interrupt, .user1]) {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal.number) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Ignores SIGPIPE so a write to a closed socket fails with EPIPE instead of killing the
    /// process (`SSL_write` cannot pass `MSG_NOSIGNAL`). SIGPIPE never gets a source, so
    /// ignoring it does not interfere with Dispatch's signal delivery.
    public static func ignoreSIGPIPE() {
        signal(SIGPIPE, SIG_IGN)
    }
}
