import CastorCore
import CastorWebSocket
import Dispatch

/// How one connection attempt is made: the adapter builds it when the state machine
/// says `connect` (the order-events adapter first waits for its nonce lease).
struct FeedConnectRequest {
    let url: WebSocketURL
    var headers: [(name: String, value: String)] = []
    /// Called exactly once when the upgrade was answered or the attempt abandoned.
    var handshakeFinished: ((FeedHandshakeOutcome) -> Void)?
}

/// How a WebSocket upgrade ended.
enum FeedHandshakeOutcome {
    case opened
    case failed(WebSocketError)
    case abandoned
}

/// Why no connect request could be built.
enum FeedConnectFailure: Error {
    /// Retry later with backoff.
    case retry(String)
    /// Stop the feed.
    case fatal(FeedFatalError)
}

/// The I/O shell around `FeedConnectionStateMachine` shared by the adapters: performs its
/// actions (WebSocket, timers, notifications) and feeds it WebSocket events.
///
/// Each connection attempt gets a generation number; events of an older connection are
/// dropped, so a connection being torn down can never touch the state of its successor.
/// Actions triggered while actions are being performed (a delegate calling `stop()` from a
/// state notification) are queued and run after the current ones, in order.
///
/// Time is the engine's `EngineClock`: the state machine's deadlines are read from
/// `clock.nowMs()` and its timers (watchdog, reconnect backoff) armed on the same clock, so
/// a `ManualClock` drives them by hand and a wall-clock step moves none of them.
///
/// Invariant behind `@unchecked Sendable`: every member is used only on `queue` (checked).
final class FeedConnection: @unchecked Sendable {
    let queue: DispatchQueue
    let clock: EngineClock
    let options: WebSocketOptions
    private(set) var machine: FeedConnectionStateMachine
    private(set) var state: FeedConnectionState = .idle
    private var client: WebSocketClient?
    private var generation: UInt64 = 0
    private var handshakeFinished: ((FeedHandshakeOutcome) -> Void)?
    private let watchdog: FeedTimer
    private let reconnectTimer: FeedTimer
    private var backlog: [FeedConnectionStateMachine.Action] = []
    private var performing = false

    /// Builds the next connect request; must call back on `queue`.
    var prepare: (@escaping (Result<FeedConnectRequest, FeedConnectFailure>) -> Void) -> Void = { _ in }
    /// The connection is open: send subscriptions, reset per-connection state.
    var onSubscribe: () -> Void = {}
    /// A message of the current connection.
    var onMessage: (WebSocketMessage) -> Void = { _ in }
    /// A state change, after it is recorded in `state`.
    var onState: (FeedConnectionState) -> Void = { _ in }
    /// Decides whether a failed connection is fatal (e.g. an upgrade refused for bad credentials).
    var fatalError: (WebSocketError) -> FeedFatalError? = { _ in nil }

    init(queue: DispatchQueue, configuration: FeedConnectionStateMachine.Configuration, seed: UInt64?,
         options: WebSocketOptions, clock: EngineClock) {
        self.queue = queue
        self.clock = clock
        self.options = options
        machine = seed.map { FeedConnectionStateMachine(configuration: configuration, seed: $0) }
            ?? FeedConnectionStateMachine(configuration: configuration)
        watchdog = FeedTimer(queue: queue, clock: clock)
        reconnectTimer = FeedTimer(queue: queue, clock: clock)
    }

    var isConnected: Bool { machine.hasConnection && client != nil }

    /// The engine clock's time, the scale of every deadline the state machine keeps.
    private var now: Int64 { clock.nowMs() }

    // MARK: inputs from the adapter

    func start() { perform(machine.start(nowMs: now)) }
    func stop() { perform(machine.stop()) }
    func fail(_ cause: FeedDisconnectCause) { perform(machine.fail(cause, nowMs: now)) }
    func fatal(_ error: FeedFatalError) { perform(machine.fatal(error)) }
    func subscriptionConfirmed() { perform(machine.subscriptionConfirmed(nowMs: now)) }
    func heartbeat() { machine.heartbeatReceived(nowMs: now) }
    func data() { machine.dataReceived(nowMs: now) }

    /// Sends a text message on the open connection.
    func send(text: String) throws(WebSocketError) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let client else { throw .invalidState("no open connection") }
        try client.send(text: text)
    }

    /// Sends a text message already encoded as UTF-8 (our own JSON) on the open connection.
    func send(textUTF8 payload: [UInt8]) throws(WebSocketError) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let client else { throw .invalidState("no open connection") }
        try client.send(textUTF8: payload)
    }

    // MARK: actions

    private func perform(_ actions: [FeedConnectionStateMachine.Action]) {
        dispatchPrecondition(condition: .onQueue(queue))
        backlog += actions
        guard !performing else { return }
        performing = true
        defer { performing = false }
        while !backlog.isEmpty {
            let action = backlog.removeFirst()
            switch action {
            case .connect: beginConnect()
            case .subscribe: onSubscribe()
            case .closeAndReconnect: dropClient(graceful: false)
            case .close: dropClient(graceful: true)
            case .armTimer(let ms):
                watchdog.arm(afterMs: ms) { [weak self] in
                    guard let self else { return }
                    self.perform(self.machine.timerFired(nowMs: self.now))
                }
            case .disarmTimer: watchdog.cancel()
            case .scheduleReconnect(let ms):
                reconnectTimer.arm(afterMs: ms) { [weak self] in
                    guard let self else { return }
                    self.perform(self.machine.reconnectDue(nowMs: self.now))
                }
            case .cancelReconnect: reconnectTimer.cancel()
            case .notify(let newState):
                state = newState
                onState(newState)
            }
        }
    }

    private func beginConnect() {
        dropClient(graceful: false)
        let attempt = generation
        prepare { [weak self] result in
            guard let self else { return }
            dispatchPrecondition(condition: .onQueue(self.queue))
            guard attempt == self.generation, self.machine.phase == .connecting else {
                // Stopped or superseded while preparing: give back what was taken.
                if case .success(let request) = result { request.handshakeFinished?(.abandoned) }
                return
            }
            switch result {
            case .failure(.fatal(let error)):
                self.perform(self.machine.fatal(error))
            case .failure(.retry(let reason)):
                self.perform(self.machine.connectionEnded(closeCode: nil, reason: reason, nowMs: self.now))
            case .success(let request):
                self.handshakeFinished = request.handshakeFinished
                let client = WebSocketClient(url: request.url, headers: request.headers, options: self.options,
                                             queue: self.queue) { [weak self] event in
                    self?.handle(event, generation: attempt)
                }
                self.client = client
                client.connect()
            }
        }
    }

    /// Forgets the current connection (its later events are ignored) and closes it.
    private func dropClient(graceful: Bool) {
        generation &+= 1
        finishHandshake(.abandoned)
        guard let old = client else { return }
        client = nil
        if graceful { old.close(code: 1000, reason: "client stopping") } else { old.cancel() }
    }

    private func finishHandshake(_ outcome: FeedHandshakeOutcome) {
        guard let finished = handshakeFinished else { return }
        handshakeFinished = nil
        finished(outcome)
    }

    private func handle(_ event: WebSocketEvent, generation attempt: UInt64) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard attempt == generation else { return }
        switch event {
        case .open:
            finishHandshake(.opened)
            perform(machine.opened(nowMs: now))
        case .message(let message):
            onMessage(message)
        case .pong:
            break
        case .closed(let code, let reason):
            finishHandshake(.abandoned)
            client = nil
            generation &+= 1
            perform(machine.connectionEnded(closeCode: code, reason: reason, nowMs: now))
        case .failed(let error):
            finishHandshake(.failed(error))
            client = nil
            generation &+= 1
            if let fatal = fatalError(error) {
                perform(machine.fatal(fatal))
            } else {
                perform(machine.connectionEnded(closeCode: nil, reason: error.description, nowMs: now))
            }
        }
    }
}
