#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Logging
import Synchronization

/// The line format of Castor's log output.
public enum LogFormat: String, Sendable, CaseIterable {
    /// One JSON object per line, for the journal and log shippers.
    case json
    /// Human-readable lines for a terminal.
    case text
}

/// Entry points for installing Castor's handlers into swift-log.
public enum CastorLogging {
    /// Installs Castor's handler for every `Logger` in the process and sets the shared level.
    ///
    /// swift-log allows one bootstrap per process: call this once, early in `main`, after
    /// `SignalHandling.blockSignals`. Later level changes go through `setLevel(_:)`; the
    /// format is fixed for the life of the process (a reload cannot change it).
    ///
    /// Lines are written by a queue of their own from a bounded buffer
    /// (`LogWriter.Mode.background`, `bufferBytes`), so a slow stdout never stalls trading;
    /// what cannot wait is dropped, counted and reported in one `log.dropped` line. The
    /// buffer is flushed at `exit` (for at most 2 s, in case the output is stuck for good).
    ///
    /// Under systemd, when `JOURNAL_STREAM` names `fd` itself (`JournalStream`), every line
    /// starts with its syslog priority (`<2>` critical … `<7>` debug) so journald files it at
    /// that priority and `journalctl -p warning` works; `priorityPrefix` overrides the check.
    ///
    /// `tap` sees every line with an `event` key as it is logged (the alert webhook).
    public static func bootstrap(format: LogFormat, level: Logger.Level, fd: Int32 = 1,
                                 bufferBytes: Int = 1 << 20, priorityPrefix: Bool? = nil, tap: LogTap? = nil) {
        LogLevelControl.shared.set(level)
        let prefix = priorityPrefix ?? JournalStream.isJournal(fd: fd)
        let writer = LogWriter(fd: fd, mode: .background(capacityBytes: bufferBytes),
                               dropNotice: dropNotice(format: format, priorityPrefix: prefix))
        installed.withLock { $0 = writer }
        atexit { _ = CastorLogging.installed.withLock { $0 }?.flush() }
        LoggingSystem.bootstrap { label in
            makeHandler(label: label, format: format, writer: writer, priorityPrefix: prefix, tap: tap)
        }
    }

    /// The `log.dropped` line in `format`, as `bootstrap`'s writer reports lost lines: level
    /// warning, component `log`, `dropped` = how many lines since the previous notice.
    static func dropNotice(format: LogFormat, priorityPrefix: Bool = false) -> @Sendable (UInt64, inout [UInt8]) -> Void {
        { dropped, out in
            if priorityPrefix { JournalStream.appendPrefix(for: .warning, to: &out) }
            let metadata: Logger.Metadata = ["event": "log.dropped", "dropped": "\(dropped)"]
            let message: Logger.Message = "log lines dropped: the output could not keep up"
            switch format {
            case .json: JSONLineLayout.appendLine(level: .warning, message: message, component: "log",
                                                  fields: LogMetadataMerge.fields(metadata), timestamp: .now(), to: &out)
            case .text: TextLineLayout.appendLine(level: .warning, message: message, component: "log",
                                                  fields: LogMetadataMerge.fields(metadata), timestamp: .now(), to: &out)
            }
        }
    }

    /// The writer `bootstrap` installed (flushed at exit).
    static let installed = Mutex<LogWriter?>(nil)

    /// Writes out every queued line (for at most `timeout`); true when all went out.
    @discardableResult
    public static func flush(timeout: DispatchTimeInterval = .seconds(2)) -> Bool {
        installed.withLock { $0 }?.flush(timeout: timeout) ?? true
    }

    /// A handler for `label` without touching the global bootstrap (tests, sub-components
    /// writing to another descriptor).
    public static func makeHandler(label: String, format: LogFormat, writer: LogWriter,
                                   levelControl: LogLevelControl = .shared, priorityPrefix: Bool = false,
                                   tap: LogTap? = nil) -> any LogHandler {
        switch format {
        case .json: JSONLogHandler(label: label, writer: writer, levelControl: levelControl, priorityPrefix: priorityPrefix, tap: tap)
        case .text: TextLogHandler(label: label, writer: writer, levelControl: levelControl, priorityPrefix: priorityPrefix, tap: tap)
        }
    }

    /// Changes the minimum level of every Castor handler at once (SIGHUP reload).
    public static func setLevel(_ level: Logger.Level) {
        LogLevelControl.shared.set(level)
    }

    /// The current process-wide minimum level.
    public static var level: Logger.Level { LogLevelControl.shared.level }
}
