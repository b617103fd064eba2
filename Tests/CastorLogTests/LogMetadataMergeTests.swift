import Logging
import Testing
@testable import CastorLog

/// A line's fields (`LogMetadataMerge.fields`) are exactly what merging the handler's, the
/// provider's and the call's metadata into one dictionary gives (later sources win, a thrown
/// error as `error` unless one is there), in key order: checked against that dictionary
/// merge on seeded random metadata.
@Suite struct LogMetadataMergeTests {
    struct Failure: Error, CustomStringConvertible { var description: String { "boom" } }

    static func reference(_ handler: Logger.Metadata, _ provided: Logger.Metadata, _ call: Logger.Metadata,
                          error: (any Error)?) -> [String] {
        var merged = handler
        merged.merge(provided) { _, new in new }
        merged.merge(call) { _, new in new }
        if let error, merged["error"] == nil { merged["error"] = .string(String(describing: error)) }
        return merged.keys.sorted().map { "\($0)=\(merged[$0]!)" }
    }

    @Test func randomMetadataMergesAsTheDictionaryWould() {
        let keys = ["event", "component", "error", "symbol", "a", "b", "meta", "price", "Z", "é"]
        var state: UInt64 = 42
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        func random(_ tag: String) -> Logger.Metadata {
            var m: Logger.Metadata = [:]
            for _ in 0..<(next() % 6) { m[keys[next() % keys.count]] = .string("\(tag)\(next() % 100)") }
            return m
        }
        for round in 0..<5_000 {
            let handler = random("h"), provided = random("p"), call = random("c")
            let error: (any Error)? = round % 3 == 0 ? Failure() : nil
            let fields = LogMetadataMerge.fields(handler, provided, round % 5 == 0 && call.isEmpty ? nil : call,
                                                 errorText: error.map { String(describing: $0) })
            #expect(fields.map { "\($0.key)=\($0.value)" } == Self.reference(handler, provided, call, error: error))
        }
    }

    @Test func theComponentComesOutOfTheFieldsOnlyWhenItIsAString() {
        var fields = LogMetadataMerge.fields(["component": "orders"], [:], ["a": "1"], errorText: nil)
        #expect(LogMetadataMerge.takeComponent(from: &fields, label: "engine") == "orders")
        #expect(fields.map(\.key) == ["a"])
        var nested = LogMetadataMerge.fields([:], [:], ["component": ["x"], "b": "2"], errorText: nil)
        #expect(LogMetadataMerge.takeComponent(from: &nested, label: "engine") == "engine")
        #expect(nested.map(\.key) == ["b", "component"])
    }
}
