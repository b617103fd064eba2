import CastorTestSupport
import Dispatch
import Foundation
import Glibc
import Synchronization

/// Captures what a handler writes: a pipe whose read end is drained on another thread, so
/// writers never block on a full pipe, and `finish()` returns everything once the write end
/// is closed.
final class PipeCapture: @unchecked Sendable {
    let writeFD: Int32
    private let readFD: Int32
    private let done = DispatchSemaphore(value: 0)
    // Appended by the reader thread; read whole after `done`, or in part while it runs.
    private let captured = Mutex<[UInt8]>([])

    init() {
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0)
        readFD = fds[0]
        writeFD = fds[1]
        DispatchQueue.global().async { [self] in
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = read(readFD, &chunk, chunk.count)
                if n > 0 { captured.withLock { $0.append(contentsOf: chunk[0..<n]) } } else if n < 0 && errno == EINTR { continue } else { break }
            }
            done.signal()
        }
    }

    /// Closes the write end and returns the raw bytes (nil if the reader missed the
    /// deadline). The wait holds no cooperative-pool thread (`OffPool`).
    func finishBytes() async -> [UInt8]? {
        close(writeFD)
        guard await done.wait(seconds: 10) else { return nil }
        close(readFD)
        return captured.withLock { $0 }
    }

    /// The whole lines read so far (the pipe stays open).
    func linesNow() -> [String] {
        let bytes = captured.withLock { $0 }
        return bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .dropLast().map { String(decoding: $0, as: UTF8.self) }
    }

    /// The lines read so far once there are at least `count` (or what there is after
    /// `seconds`).
    func lines(atLeast count: Int, seconds: Double) async -> [String] {
        (try? await pollFor("\(count) lines", seconds: seconds) { () -> [String]? in
            let lines = self.linesNow()
            return lines.count >= count ? lines : nil
        }) ?? linesNow()
    }

    /// The captured output split into lines (without the trailing newline).
    func finishLines() async -> [String] {
        guard let bytes = await finishBytes() else { return ["<reader timed out>"] }
        return bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .dropLast().map { String(decoding: $0, as: UTF8.self) }
    }

    static func json(_ line: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }
}
