import Dispatch
import Foundation
import Glibc
import Testing
@testable import CastorLog

/// The daemon's log writer (`LogWriter.Mode.background`): a slow or stuck output never
/// blocks the thread that logs (issue 9, "Logs": the engine queue must not stall on stdout).
@Suite(.timeLimit(.minutes(1))) struct BackgroundLogWriterTests {
    private func line(_ i: Int) -> (inout [UInt8]) -> Void {
        { $0.append(contentsOf: Array("line \(i) ".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 90)) }
    }

    @Test func linesArriveWholeAndInOrder() throws {
        let capture = PipeCapture()
        let writer = LogWriter(fd: capture.writeFD, mode: .background(capacityBytes: 1 << 20))
        for i in 0..<5_000 { writer.writeLine(line(i)) }
        #expect(writer.flush())
        let lines = capture.finishLines()
        #expect(lines.count == 5_000)
        #expect(lines.enumerated().allSatisfy { $0.element.hasPrefix("line \($0.offset) ") })
        #expect(writer.droppedLines == 0)
    }

    /// Nobody reads the pipe, so the output blocks once the kernel's pipe buffer is full.
    /// Logging 20,000 lines must still return (in synchronous mode the writer would block
    /// forever in write(2)); what did not fit is counted, and once a reader drains the
    /// pipe, every line is either delivered or reported as dropped — exactly.
    @Test func aStuckOutputDropsAndCountsInsteadOfBlocking() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let (readFD, writeFD) = (fds[0], fds[1])
        let writer = LogWriter(fd: writeFD, mode: .background(capacityBytes: 64 * 1024))
        let total = 20_000
        for i in 0..<total { writer.writeLine(line(i)) }
        #expect(writer.droppedLines > 0)
        // Now read everything; the queued lines and the drop notice arrive.
        nonisolated(unsafe) var received: [UInt8] = []
        let reader = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = read(readFD, &chunk, chunk.count)
                if n > 0 { received.append(contentsOf: chunk[0..<n]) } else if n < 0 && errno == EINTR { continue } else { break }
            }
            reader.signal()
        }
        #expect(writer.flush(timeout: .seconds(20)))
        close(writeFD)
        #expect(reader.wait(timeout: .now() + 20) == .success)
        close(readFD)
        let lines = received.split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) }
        let delivered = lines.filter { $0.hasPrefix("line ") }
        let notices = lines.compactMap { l -> UInt64? in
            guard let o = (try? JSONSerialization.jsonObject(with: Data(l.utf8))) as? [String: Any],
                  o["event"] as? String == "log.dropped" else { return nil }
            return UInt64(o["dropped"] as? String ?? "")
        }
        #expect(!notices.isEmpty)
        #expect(UInt64(delivered.count) + notices.reduce(0, +) == UInt64(total))
        #expect(notices.reduce(0, +) == writer.droppedLines)
        // Delivered lines are whole and in order.
        let numbers = delivered.compactMap { Int($0.split(separator: " ")[1]) }
        #expect(numbers == numbers.sorted() && numbers.count == delivered.count)
    }
}
