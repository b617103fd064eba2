import CastorConfig
import Dispatch

/// How to build an engine for one configuration, made once everything that can be checked
/// without a signed request has been checked: the venue's endpoints parse, the credentials
/// load, the strategy builds.
///
/// The process shell makes recipes, because it knows venues, credentials and the embedded
/// simulator; `EngineHost` uses them to start the first engine, to replace it when a reload
/// changes the venue, key or account, and to start the previous configuration again when a
/// replacement does not start. A recipe keeps what it needs (the credentials it loaded) so
/// that this fallback does not depend on files or variables that may have changed since.
public struct EngineRecipe: Sendable {
    /// The configuration the engine will run.
    public let configuration: CastorConfiguration
    /// Where the engine will trade and with which key name, for the log (never a secret).
    public let summary: String
    /// Builds the engine, not yet started, starting or stopping the embedded simulator as
    /// the venue needs. Called only once no other engine holds the journal or the key.
    /// `completion` runs once, on the engine queue.
    public let build: @Sendable (_ completion: @escaping @Sendable (Result<any ManagedEngine, ManagedEngineFailure>) -> Void) -> Void

    public init(configuration: CastorConfiguration, summary: String,
                build: @escaping @Sendable (_ completion: @escaping @Sendable (Result<any ManagedEngine, ManagedEngineFailure>) -> Void) -> Void) {
        self.configuration = configuration
        self.summary = summary
        self.build = build
    }
}
