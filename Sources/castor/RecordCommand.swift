import ArgumentParser
import CastorConfig
import CastorFeeds
import CastorRecord
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `castor record`: records Gemini's public market data v2 into the format `castor replay`
/// and `castor backtest` read (see `MarketDataRecorder`). Exit codes: 0 done (duration over
/// or SIGINT/SIGTERM), 1 the feed failed for good, 64 bad arguments, 73 the output cannot be
/// created, 74 a write failed (what was written before is kept).
struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record public market data v2 into a file castor replay and castor backtest read.",
        discussion: """
            One received frame per line, `<unix seconds>.<millis>: <frame>`. At each gap \
            (connection lost, reconnecting with backoff) a `# gap <unix time> <cause>` \
            comment line, which readers skip. With --rotate-mb or --rotate-hourly the \
            output is FILE, then FILE.1, FILE.2, … in order. Runs for --duration or until \
            SIGINT/SIGTERM, then prints a summary. No API keys are needed.
            """
    )

    @Option(help: "Symbols, comma-separated (default BTCUSD).")
    var symbols: String = "BTCUSD"

    @Option(help: "production or sandbox (default production).")
    var venue: String?

    @Option(help: "A Gemini-compatible WebSocket base instead of --venue: castor sim's ws_api URL for --api websocket, its ws URL for --api legacy (plain ws:// only on loopback).")
    var url: String?

    @Option(help: "websocket (the new WebSocket API, default) or legacy (/v2/marketdata).")
    var api: String?

    @Option(help: "The recording file (rotated parts are FILE.1, FILE.2, …).")
    var output: String

    @Option(help: "Stop after this long: 30s, 15m, 2h (default: until SIGINT/SIGTERM).")
    var duration: String?

    @Option(name: .customLong("rotate-mb"), help: "Start a new file before one would exceed N MB (10^6 bytes).")
    var rotateMB: Int?

    @Flag(name: .customLong("rotate-hourly"), help: "Start a new file at each UTC hour.")
    var rotateHourly = false

    func run() throws {
        // Signals first, before any thread is started (see swift-on-linux-notes.md).
        var set = sigset_t()
        sigemptyset(&set)
        for sig in [SIGINT, SIGTERM] { sigaddset(&set, sig) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        signal(SIGPIPE, SIG_IGN)

        let feedURL: String, names: [String], feedAPI: MarketDataTap.API
        do throws(RecordSource.Invalid) {
            feedAPI = try RecordSource.api(api)
            feedURL = try RecordSource.marketDataURL(venue: venue, url: url, api: feedAPI)
            names = try RecordSource.symbols(symbols)
        } catch { Self.fail(error.description, 64) }
        var limit: Duration?
        if let duration {
            guard let parsed = DurationText.parse(duration), parsed > .zero else {
                Self.fail("--duration \(duration): use e.g. 30s, 15m or 2h", 64)
            }
            limit = parsed
        }
        let rotation: RecordingRotation
        switch (rotateMB, rotateHourly) {
        case (.some, true): Self.fail("give --rotate-mb or --rotate-hourly, not both", 64)
        case (.some(let mb), false):
            guard mb > 0, mb <= 1_000_000 else { Self.fail("--rotate-mb \(mb): a number of MB from 1 to 1000000", 64) }
            rotation = .bytes(mb * 1_000_000)
        case (nil, true): rotation = .hourly
        case (nil, false): rotation = .none
        }

        let recorder: MarketDataRecorder
        do throws(RecordingFileError) {
            recorder = try MarketDataRecorder(output: output, rotation: rotation,
                                              feed: MarketDataTap.Configuration(url: feedURL, api: feedAPI, symbols: names))
        } catch { Self.fail("castor record: --output \(error)", 73) }

        let control = DispatchQueue(label: "castor.record.control")
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<(reason: String, exit: Int32, result: (MarketDataRecorder.Statistics, RecordingFileError?)?)>(("", 0, nil))
        let stop: @Sendable (String, Int32) -> Void = { reason, code in
            let first = outcome.withLock { state -> Bool in
                guard state.reason.isEmpty else { return false }
                state.reason = reason
                state.exit = code
                return true
            }
            guard first else { return }
            recorder.finish { stats, error in
                outcome.withLock { $0.result = (stats, error) }
                done.signal()
            }
        }
        recorder.onFatal = { stop("feed failed: \($0)", 1) }
        recorder.onWriteError = { stop("write failed: \($0)", 74) }

        var sources: [DispatchSourceProtocol] = []
        for (sig, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            let source = DispatchSource.makeSignalSource(signal: sig, queue: control)
            source.setEventHandler { @Sendable in stop(name, 0) }
            source.activate()
            sources.append(source)
        }
        if let limit {
            let timer = DispatchSource.makeTimerSource(queue: control)
            let ms = Int(min(limit / .milliseconds(1), Double(Int32.max)))
            timer.schedule(deadline: .now() + .milliseconds(ms))
            timer.setEventHandler { @Sendable in stop("duration \(DurationText.format(limit)) over", 0) }
            timer.activate()
            sources.append(timer)
        }
        let progress = isatty(2) == 1
        if progress {
            let timer = DispatchSource.makeTimerSource(queue: control)
            timer.schedule(deadline: .now() + .seconds(1), repeating: .seconds(1))
            timer.setEventHandler { @Sendable in
                guard outcome.withLock({ $0.reason.isEmpty }) else { return }
                Self.writeStderr("\r\u{1B}[K" + Self.progressLine(recorder.statistics))
            }
            timer.activate()
            sources.append(timer)
        }

        recorder.start()
        done.wait()
        for source in sources { source.cancel() }
        if progress { Self.writeStderr("\r\u{1B}[K") }
        let (reason, code, result) = outcome.withLock { ($0.reason, $0.exit, $0.result) }
        guard let (stats, writeError) = result else { throw ExitCode(1) }
        print(Self.summary(stats, url: feedURL, symbols: names, reason: reason))
        if let writeError {
            Self.writeStderr("castor record: \(writeError)\n")
            throw ExitCode(code == 0 ? 74 : code)
        }
        if code != 0 {
            Self.writeStderr("castor record: \(reason)\n")
            throw ExitCode(code)
        }
    }

    static func summary(_ s: MarketDataRecorder.Statistics, url: String, symbols: [String], reason: String) -> String {
        """
        recorded \(symbols.joined(separator: ",")) from \(url) (\(reason))
        messages: \(s.messages)  bytes: \(s.bytes)  reconnects: \(s.reconnects)  gaps: \(s.gaps)  seconds: \(fixed(s.seconds, 3))
        files: \(s.files.joined(separator: " "))
        """
    }

    static func progressLine(_ s: MarketDataRecorder.Statistics) -> String {
        let rate = s.seconds > 0 ? Double(s.messages) / s.seconds : 0
        return "\(s.state)  messages \(s.messages)  \(fixed(Double(s.bytes) / 1_000_000, 2)) MB  \(Int(rate)) msg/s  reconnects \(s.reconnects)  gaps \(s.gaps)  \(Int(s.seconds)) s"
    }

    static func fixed(_ value: Double, _ places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let n = Int((value * scale).rounded())
        let whole = n / Int(scale), frac = String(n % Int(scale))
        return "\(whole)." + String(repeating: "0", count: places - frac.count) + frac
    }

    static func writeStderr(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress! + offset, $0.count - offset) }
            if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return }
        }
    }

    static func fail(_ text: String, _ code: Int32) -> Never {
        ErrorOutput.write([text])
        Glibc.exit(code)
    }
}
