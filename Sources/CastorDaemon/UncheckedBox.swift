/// Carries a non-Sendable closure across a `@Sendable` boundary; it is only ever called
/// on the engine queue, where it was made.
///
/// `CastorEngine` has its own; the shell does not import the engine, so it keeps this copy.
final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
