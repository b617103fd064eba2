import Logging

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
    public static func bootstrap(format: LogFormat, level: Logger.Level, fd: Int32 = 1) {
        LogLevelControl.shared.set(level)
        let writer = LogWriter(fd: fd)
        LoggingSystem.bootstrap { label in
            makeHandler(label: label, format: format, writer: writer)
        }
    }

    /// A handler for `label` without touching the global bootstrap (tests, sub-components
    /// writing to another descriptor).
    public static func makeHandler(label: String, format: LogFormat, writer: LogWriter,
                                   levelControl: LogLevelControl = .shared) -> any LogHandler {
        switch format {
        case .json: JSONLogHandler(label: label, writer: writer, levelControl: levelControl)
        case .text: TextLogHandler(label: label, writer: writer, levelControl: levelControl)
        }
    }

    /// Changes the minimum level of every Castor handler at once (SIGHUP reload).
    public static func setLevel(_ level: Logger.Level) {
        LogLevelControl.shared.set(level)
    }

    /// The current process-wide minimum level.
    public static var level: Logger.Level { LogLevelControl.shared.level }
}
