import CastorJournal
import Dispatch

/// The engine's journal while it is open, and the queue that writes to it.
///
/// Intents and order-state events are written on `writer`, off the engine queue, in the
/// order the engine produced them (one serial queue); fills are written synchronously on
/// the engine queue. Part of the engine's state, so confined to the engine queue.
struct Journaling {
    /// Nil until the start-up's `openJournal` step, and again once released.
    var journal: Journal?
    let writer = DispatchQueue(label: "castor.journal.writer")
}
