import CastorCore

/// What an operator's command asks the daemon over the control socket: one line of text.
public enum ControlRequest: Sendable, Equatable {
    /// `status`: the engine's state as a `StatusReport`.
    case status
    /// `kill-switch on` / `kill-switch off`: engages or releases the kill switch.
    case killSwitch(engage: Bool)

    /// The request's line.
    public var line: String {
        switch self {
        case .status: "status"
        case .killSwitch(let on): on ? "kill-switch on" : "kill-switch off"
        }
    }

    /// Parses a request line; nil for anything else.
    public init?(line: String) {
        switch line.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") {
        case "status": self = .status
        case "kill-switch on": self = .killSwitch(engage: true)
        case "kill-switch off": self = .killSwitch(engage: false)
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

    /// `{"ok":false,"error":"…"}`.
    public static func error(_ message: String) -> String {
        var out = #"{"ok":false,"error":"#
        JSONString.append(message, to: &out)
        return out + "}"
    }
}
