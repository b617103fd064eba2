import Testing
@testable import CastorSystemd

/// Issue 10 (risks): `castor run` makes itself non-dumpable with no core limit.
/// (This changes the test process itself, which is harmless for the other tests here.)
@Suite struct ProcessHardeningTests {
    @Test func disablesCoreDumps() {
        #expect(ProcessHardening.disableCoreDumps().isEmpty)
        #expect(ProcessHardening.isDumpable == false)
        let limit = ProcessHardening.coreLimit
        #expect(limit?.soft == 0 && limit?.hard == 0)
        // Idempotent: a second call (e.g. from a test harness) fails nothing.
        #expect(ProcessHardening.disableCoreDumps().isEmpty)
    }

    @Test func failuresNameTheCall() {
        let error = ProcessHardeningError.coreLimitFailed(errno: 1)
        #expect(error.call == "setrlimit(RLIMIT_CORE, 0)")
        #expect(error.description.contains("setrlimit") && error.description.contains("errno 1"))
    }
}
