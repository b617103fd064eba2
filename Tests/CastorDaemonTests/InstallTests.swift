import CastorTestSupport
import Foundation
import Testing

/// `deploy/install.sh` into a temporary root, checked by `deploy/test-install.sh`: files and
/// modes, a second run keeps the operator's configuration, and the installed binary runs
/// from the runtime libraries next to it with the Swift toolchain hidden (as root).
@Suite(.tags(.slow), .timeLimit(.minutes(3)), .enabled(if: CastorProcess.binary != nil, "build the castor product first"))
struct InstallTests {
    @Test func theInstalledDaemonNeedsNoToolchain() async throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let outcome = try await runToExit("/bin/bash", [repo + "/deploy/test-install.sh", try #require(CastorProcess.binary)])
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(outcome.output.contains("deploy/install.sh: OK"), "\(outcome.output)")
        if getuid() == 0 {
            #expect(outcome.output.contains("runs without the Swift toolchain"), "\(outcome.output)")
        }
    }
}
