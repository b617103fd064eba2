import Testing
@testable import CastorCore

/// The process has one trace; these tests share it, so they run one at a time.
@Suite(.serialized) struct TickTraceTests {
    @Test func recordsNothingWhileOff() {
        let trace = TickTrace.shared
        trace.setEnabled(false)
        _ = trace.takeRecords()
        trace.mark(.message)
        trace.mark(.encoded)
        trace.commit()
        #expect(trace.takeRecords().isEmpty)
    }

    @Test func recordsOneOrdersStagesInPathOrderAndAMessageStartsAfresh() throws {
        let trace = TickTrace.shared
        _ = trace.takeRecords()
        trace.setEnabled(true)
        defer { trace.setEnabled(false) }
        for stage in TickTrace.Stage.allCases { trace.mark(stage) }
        trace.commit()
        // A second message that left through REST (no `.written`) and skipped the strategy.
        trace.mark(.message)
        trace.mark(.applied)
        trace.mark(.encoded)
        trace.commit()
        let records = trace.takeRecords()
        try #require(records.count == 2)
        let first = TickTrace.Stage.allCases.map { records[0].stamp($0) }
        #expect(first.allSatisfy { $0 > 0 })
        #expect(first == first.sorted())
        #expect(records[1].stamp(.strategy) == 0 && records[1].stamp(.written) == 0)
        #expect(records[1].stamp(.message) >= records[0].stamp(.written))
        #expect(records[1].stamp(.encoded) >= records[1].stamp(.applied))
        #expect(trace.takeRecords().isEmpty)
    }
}
