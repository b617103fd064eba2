import Foundation

/// This process's memory as the kernel counts it, in KiB.
struct ProcessMemory {
    /// Pages this process wrote and alone holds (heap, stacks, written data): what it would
    /// leak. `Private_Dirty` from /proc/self/smaps_rollup, else summed over /proc/self/smaps.
    var privateDirtyKiB: Int
    /// `VmRSS` from /proc/self/status (includes clean code pages the kernel can drop).
    var rssKiB: Int
    /// `RssAnon` from /proc/self/status.
    var anonKiB: Int

    static func sample(pid: String = "self") -> ProcessMemory {
        ProcessMemory(privateDirtyKiB: privateDirty(pid: pid), rssKiB: statusField("VmRSS:", pid: pid),
                      anonKiB: statusField("RssAnon:", pid: pid))
    }

    static func privateDirty(pid: String) -> Int {
        for file in ["smaps_rollup", "smaps"] {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/\(file)", encoding: .utf8) else { continue }
            var sum = 0, found = false
            for line in text.split(separator: "\n") where line.hasPrefix("Private_Dirty:") {
                found = true
                sum += Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
            }
            if found { return sum }
        }
        return -1
    }

    static func statusField(_ name: String, pid: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return -1 }
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? -1
    }
}
