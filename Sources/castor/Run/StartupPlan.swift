import CastorConfig
import CastorEngine
import CastorLog
import Foundation
import GeminiProtocol
import Logging

/// What `castor run` decided before anything started: the configuration, the credentials,
/// and the logging settings. Built before logging exists, so its errors go to stderr.
struct StartupPlan {
    var configuration: CastorConfiguration
    var credentials: APICredentials?
    /// The credentials read from `CASTOR_API_KEY` / `CASTOR_API_SECRET` at start, if that is
    /// where they came from (even on the simulator venue, where they are not used yet): the
    /// secret variable is removed from the process once read, so reloads use this copy.
    var environmentCredentials: APICredentials?
    var logFormat: LogFormat
    var logLevel: Logger.Level

    /// A start-up refusal: every line to print and the exit code.
    struct Refusal: Error {
        let lines: [String]
        let code: Int32
    }

    /// Loads the configuration (`path` nil → built-in defaults) and credentials.
    /// - Throws: `Refusal` with exit 78 (`EX_CONFIG`) for a bad file or missing credentials.
    static func make(configPath: String?, logFormat: String?, logLevel: String?,
                     environment: [String: String]) throws(Refusal) -> StartupPlan {
        var configuration: CastorConfiguration
        if let configPath {
            do {
                configuration = try CastorConfiguration.load(path: configPath, environment: environment)
            } catch {
                let lines = error.issues.isEmpty ? [error.description] : error.issues.map(\.description)
                throw Refusal(lines: lines + ["castor run: configuration \(configPath) is invalid; fix the lines above (castor check-config \(configPath) lists them too)"],
                              code: RunExitCode.config)
            }
        } else {
            configuration = CastorConfiguration(environment: environment)
        }
        let credentials: APICredentials?
        var environmentCredentials: APICredentials?
        do throws(CredentialsError) {
            let loaded = try CredentialsLoader(environment: environment).loadWithSource()
            if configuration.venue.requiresCredentials && loaded == nil { throw CredentialsError.required(venue: configuration.venue.name) }
            credentials = loaded?.credentials
            if loaded?.source == .environment { environmentCredentials = loaded?.credentials }
        } catch {
            throw Refusal(lines: ["castor run: \(error.description)"], code: RunExitCode.config)
        }
        if let credentials, let problem = Self.webSocketAPIKeyProblem(configuration, key: credentials.key) {
            throw Refusal(lines: ["castor run: \(problem)"], code: RunExitCode.config)
        }
        let format: LogFormat
        if let logFormat {
            guard let parsed = LogFormat(rawValue: logFormat) else {
                throw Refusal(lines: ["castor run: --log-format \(logFormat): use json or text"], code: RunExitCode.usage)
            }
            format = parsed
        } else if configuration.log.formatIsExplicit {
            format = configuration.log.format == .json ? .json : .text
        } else {
            // Text for a person at a terminal, JSON for journald, pipes and files.
            format = isatty(STDOUT_FILENO) == 1 ? .text : .json
        }
        // Keep `configuration` truthful about what runs, so a reload diffs against reality.
        configuration.log.format = format == .json ? .json : .text
        var level = Logger.Level(rawValue: configuration.log.level.rawValue) ?? .info
        if let logLevel {
            guard let parsed = Logger.Level(rawValue: logLevel), let setting = LogLevelSetting(rawValue: logLevel) else {
                throw Refusal(lines: ["castor run: --log-level \(logLevel): use one of \(LogLevelSetting.allCases.map(\.rawValue).joined(separator: ", "))"],
                              code: RunExitCode.usage)
            }
            level = parsed
            configuration.log.level = setting
        }
        return StartupPlan(configuration: configuration, credentials: credentials, environmentCredentials: environmentCredentials,
                           logFormat: format, logLevel: level)
    }

    /// Why the key cannot use the new WebSocket API, with the fix; nil if it can (as far
    /// as can be told before connecting). Gemini refuses master and group keys there, and
    /// keys with counter nonces: a millisecond nonce format means such a key (WS-API.md §1.4).
    static func webSocketAPIKeyProblem(_ configuration: CastorConfiguration, key: String) -> String? {
        guard configuration.venueAPI.api == .websocket, configuration.venue.requiresCredentials else { return nil }
        let fix = #"set [venue] api = "legacy" (the archived feeds accept it), or create an account-scoped key ("account-…") with time-based nonces"#
        if key.hasPrefix("master-") || key.hasPrefix("group-") {
            return "the API key \(key) is a master or group key, which the new WebSocket API refuses: \(fix)"
        }
        if configuration.account.nonceFormat == .milliseconds {
            return #"[account] nonce_format = "milliseconds" is for keys with counter nonces, which the new WebSocket API refuses: "# + fix
        }
        return nil
    }
}
