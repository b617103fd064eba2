import CastorCore
import CastorTestSupport
import Dispatch
import Foundation
import Glibc
import Testing
@testable import CastorLog

/// The daemon's log writer (`LogWriter.Mode.background`): a slow or stuck output never
/// blocks the thread that logs (issue 9, "Logs": the engine queue must not stall on stdout).
@Suite(.timeLimit(.minutes(1))) struct BackgroundLogWriterTests {
    private func line(_ i: Int) -> LogWriter.Format {
        { $0.append(contentsOf: Array("line \(i) ".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 90)) }
    }

    @Test func linesArriveWholeAndInOrder() async throws {
        let capture = PipeCapture()
        let writer = LogWriter(fd: capture.writeFD, mode: .background(capacityBytes: 1 << 20))
        for i in 0..<5_000 { writer.writeLine(line(i)) }
        #expect(await offPool { writer.flush() })
        let lines = await capture.finishLines()
        #expect(lines.count == 5_000)
        #expect(lines.enumerated().allSatisfy { $0.element.hasPrefix("line \($0.offset) ") })
        #expect(writer.droppedLines == 0)
    }

    /// Nobody reads the pipe, so the output blocks once the kernel's pipe buffer is full.
    /// Logging 20,000 lines must still return (in synchronous mode the writer would block
    /// forever in write(2)); what did not fit is counted, and once a reader drains the
    /// pipe, every line is either delivered or reported as dropped — exactly.
    @Test func aStuckOutputDropsAndCountsInsteadOfBlocking() async throws {
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
        #expect(await offPool { writer.flush(timeout: .seconds(20)) })
        close(writeFD)
        #expect(await reader.wait(seconds: 20))
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

    /// A single line larger than the whole buffer is dropped while nothing else is pending.
    /// Its notice must still come at once, not wait for the next line that fits (or exit).
    @Test func aLineLargerThanTheBufferIsReportedWithoutWaitingForAnotherLine() async throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let (readFD, writeFD) = (fds[0], fds[1])
        defer { close(readFD); close(writeFD) }
        let writer = LogWriter(fd: writeFD, mode: .background(capacityBytes: 64))
        writer.writeLine { $0.append(contentsOf: [UInt8](repeating: UInt8(ascii: "y"), count: 200)) }
        // No flush and no other line: only the writer's own drain (which lays the line out and
        // finds it too long) can bring the notice.
        let line = await Self.firstLine(of: readFD, seconds: 20)
        let notice = try #require(line.flatMap(PipeCapture.json), "no notice line, got \(String(describing: line))")
        #expect(notice["event"] as? String == "log.dropped")
        #expect(notice["dropped"] as? String == "1")
        #expect(notice["level"] as? String == "warning")
        #expect(writer.droppedLines == 1)
    }

    /// The notice `CastorLogging.bootstrap` installs (the daemon's): the stable event key, the
    /// exact count, level warning, component `log`, in either format.
    @Test func theDaemonsDropNoticeCarriesTheEventAndTheExactCount() throws {
        var json: [UInt8] = []
        CastorLogging.dropNotice(format: .json)(12_345, &json)
        let object = try #require(PipeCapture.json(String(decoding: json, as: UTF8.self)))
        #expect(object["event"] as? String == "log.dropped")
        #expect(object["dropped"] as? String == "12345")
        #expect(object["level"] as? String == "warning")
        #expect(object["component"] as? String == "log")
        #expect(!json.contains(UInt8(ascii: "\n")), "the writer adds the newline")

        var text: [UInt8] = []
        CastorLogging.dropNotice(format: .text)(7, &text)
        let line = String(decoding: text, as: UTF8.self)
        #expect(line.contains("WARN"), "\(line)")
        #expect(line.contains(" log: log lines dropped"), "\(line)")
        #expect(line.hasSuffix(" dropped=7 event=log.dropped"), "\(line)")
    }

    /// The first line read from `fd` (without its newline), or nil at EOF or after `seconds`.
    /// The blocking `poll`/`read` run on a Dispatch thread, never on the cooperative pool.
    static func firstLine(of fd: Int32, seconds: Double) async -> String? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let deadline = DispatchTime.now() + seconds
                var bytes: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 4096)
                while !bytes.contains(UInt8(ascii: "\n")) {
                    let left = Int64(deadline.uptimeNanoseconds) - Int64(DispatchTime.now().uptimeNanoseconds)
                    guard left > 0 else { break }
                    var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    let ready = poll(&pfd, 1, Int32(min(left / 1_000_000, 1_000)))
                    if ready < 0 && errno == EINTR { continue }
                    if ready <= 0 { continue }
                    let n = read(fd, &chunk, chunk.count)
                    if n > 0 { bytes += chunk[0..<n] } else if n < 0 && errno == EINTR { continue } else { break }
                }
                let line = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).first
                continuation.resume(returning: bytes.contains(UInt8(ascii: "\n")) ? line.map { String(decoding: $0, as: UTF8.self) } : nil)
            }
        }
    }
}

/// The background writer's pacing on a manual clock: a trickle of lines waits for the next
/// tick instead of waking the writer per line; a burst is written at once; the ticks stop
/// once nothing comes and start again with the next line.
@Suite(.timeLimit(.minutes(1))) struct LogWriterPacingTests {
    @Test func aTrickleWaitsForTheTickABurstGoesAtOnceAndQuietStopsTheTicks() async throws {
        let capture = PipeCapture()
        let clock = ManualClock(startMs: 0)
        // 64 KiB: at most 512 lines queued; a burst is a quarter of that.
        let writer = LogWriter(fd: capture.writeFD, mode: .background(capacityBytes: 64 * 1024), clock: clock.engineClock)
        writer.writeLine { $0.append(contentsOf: "first".utf8) }
        writer.writeLine { $0.append(contentsOf: "second".utf8) }
        #expect(clock.pendingTimerCount == 1)  // one tick armed for both lines
        #expect(capture.linesNow().isEmpty)  // nothing is scheduled to write before the tick
        clock.advance(byMs: Int64(LogWriter.paceMs))
        #expect(await capture.lines(atLeast: 2, seconds: 10) == ["first", "second"])

        // A burst of 128 lines is written without waiting for a tick.
        for i in 0..<128 { writer.writeLine { $0.append(contentsOf: "burst \(i)".utf8) } }
        #expect(await capture.lines(atLeast: 130, seconds: 10).count == 130)

        // Quiet ticks stop the ticking; the next line starts it again.
        for _ in 0..<LogWriter.idleTicksBeforeStop + 1 {
            clock.advance(byMs: Int64(LogWriter.paceMs))
            await offPool { writer.flush() }
        }
        #expect(clock.pendingTimerCount == 0)
        writer.writeLine { $0.append(contentsOf: "after".utf8) }
        #expect(clock.pendingTimerCount == 1)
        clock.advance(byMs: Int64(LogWriter.paceMs))
        #expect(await capture.lines(atLeast: 131, seconds: 10).last == "after")
        #expect(writer.droppedLines == 0)
    }
}
