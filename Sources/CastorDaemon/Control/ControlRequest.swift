import CastorCore

/// What an operator's command asks the daemon over the control socket: one line of text.
public enum ControlRequest: Sendable, Equatable {
    /// `status`: the engine's state as a `StatusReport`.
    case status
    /// `kill-switch on` / `kill-switch off`: engages or releases the kill switch.
    case killSwitch(engage: Bool)
    /// `reload`: re-reads the configuration as SIGHUP does, answering once it is applied or
    /// refused (so `systemctl reload` can fail when it is refused).
    case reload

    /// The request's line.
    public var line: String {
        switch self {
        case .status: "status"
        case .killSwitch(let on): on ? "kill-switch on" : "kill-switch off"
        case .reload: "reload"
        }
    }

    /// Parses a request line; nil for anything else.
    public init?(line: String) {
        switch line.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") {
        case "status": self = .status
        case "kill-switch on": self = .killSwitch(engage: true)
        case "kill-switch off": self = .killSwitch(engage: false)
        case "reload": self = .reload
        default: return nil
        }
    }
}

/// The answer lines: one JSON object each, `ok` first.
public enum ControlAnswer {
    /// `{"ok":true,"status":REPORT}` (`report` is already JSON).
    public static func status(_ reportJSON: String) -> String { #"{"ok":true,"status":"# + reportJSON + "}" }

    /// `{"ok":true,"kill_switch":BOOL,"changed":BOOL}`.
    public static func killSwitch(engaged: Bool, changed: Bool) -> String {
        #"{"ok":true,"kill_switch":\#(engaged),"changed":\#(changed)}"#
    }

    /// `{"ok":true,"reload":"applied"|"unchanged","detail":"…"}`.
    public static func reloaded(_ outcome: String, detail: String) -> String {
        var out = #"{"ok":true,"reload":"# 
        JSONString.append(outcome, to: &out)
        out += #","detail":"#
        JSONString.append(detail, to: &out)
        return out + "}"
    }

    /// `{"ok":false,"error":"…"}`.
    public static func error(_ message: String) -> String {
        var out = #"{"ok":false,"error":"#
        JSONString.append(message, to: &out)
        return out + "}"
    }
}
