import CastorLog
#if canImport(Glibc)
import Glibc
#endif

/// Error lines written to stderr before logging exists (a start-up refusal, `check-config`'s
/// findings). Under journald (`JOURNAL_STREAM` names stderr) each line carries the `<3>`
/// (error) priority prefix, so `journalctl -p err` shows why castor did not start or why
/// `systemctl reload` failed.
enum ErrorOutput {
    static func write(_ lines: [String]) {
        let prefix = JournalStream.isJournal(fd: 2) ? "<\(JournalStream.priority(of: .error))>" : ""
        let text = lines.map { prefix + $0 + "\n" }.joined()
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress! + offset, $0.count - offset) }
            if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return }
        }
    }
}
