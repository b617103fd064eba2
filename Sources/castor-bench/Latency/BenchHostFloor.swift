import CastorCore
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// What this machine costs any Dispatch-driven process at the bench's tick rate, before a
/// line of Castor's code runs: measured by `castor-bench latency` next to its own figures
/// so that they can be read against the host.
///
/// - `wake`: one byte written to a socketpair after `gapMs` of quiet → the event handler
///   of a read source on a serial `.userInitiated` queue (the same Dispatch path that
///   wakes the engine for a market-data frame). Nothing else is on that path.
/// - `walkHot` / `walkCold`: one pass of `walkSteps` dependent loads through a shuffled
///   512 KiB table, run right after the previous pass (hot) or after `gapMs` asleep (what
///   the engine's code and data find after a quiet gap between ticks). Their ratio says
///   how much of the working set the host evicted during the gap: on a dedicated core it
///   is near 1, on a shared virtual machine it can be 10.
struct BenchHostFloor {
    let wakeNs: [UInt64]
    let walkHotNs: [UInt64]
    let walkColdNs: [UInt64]

    static let walkSteps = 2_000

    /// Takes `samples` of each; sleeps `gapMs` between samples (a few seconds in all).
    static func measure(gapMs: Int64, samples: Int) -> BenchHostFloor {
        BenchHostFloor(wakeNs: dispatchWake(gapMs: gapMs, samples: samples),
                       walkHotNs: walk(gapMs: 0, samples: samples),
                       walkColdNs: walk(gapMs: gapMs, samples: samples))
    }

    private static func dispatchWake(gapMs: Int64, samples: Int) -> [UInt64] {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else { return [] }
        let reader = fds[1], writer = fds[0]
        _ = fcntl(reader, F_SETFL, fcntl(reader, F_GETFL) | O_NONBLOCK)
        let box = WakeBox()
        let woke = DispatchSemaphore(value: 0)
        let queue = DispatchQueue(label: "castor.bench.floor", qos: .userInitiated)
        let source = DispatchSource.makeReadSource(fileDescriptor: reader, queue: queue)
        source.setEventHandler {
            let now = BenchTapProxy.monotonicNs()
            var byte: UInt8 = 0
            while read(reader, &byte, 1) > 0 {}
            box.samples.append(now - box.sentNs)
            woke.signal()
        }
        source.setCancelHandler { close(reader); close(writer) }
        source.activate()
        for _ in 0..<samples {
            usleep(UInt32(gapMs * 1000))
            var byte: UInt8 = 1
            // Only the queue's handler touches `box` between this write and the signal.
            box.sentNs = BenchTapProxy.monotonicNs()
            guard write(writer, &byte, 1) == 1, woke.wait(timeout: .now() + 1) == .success else { break }
        }
        source.cancel()
        return queue.sync { box.samples }
    }

    private static func walk(gapMs: Int64, samples: Int) -> [UInt64] {
        let count = 1 << 16  // 65 536 Ints: 512 KiB
        var next = Array(0..<count)
        var rng = SplitMix64(seed: 0x5eed)
        // Sattolo's shuffle: one cycle through every slot, so the walk never short-cuts.
        for i in stride(from: count - 1, to: 0, by: -1) { next.swapAt(i, Int(rng.next() % UInt64(i))) }
        var position = 0
        var result: [UInt64] = []
        result.reserveCapacity(samples)
        next.withUnsafeBufferPointer { table in
            for _ in 0..<samples {
                if gapMs > 0 { usleep(UInt32(gapMs * 1000)) }
                let start = BenchTapProxy.monotonicNs()
                for _ in 0..<walkSteps { position = table[position] }
                result.append(BenchTapProxy.monotonicNs() - start)
            }
        }
        // Keeps the walk from being optimised away.
        if position == -1 { print(position) }
        return result
    }

    /// The lines `castor-bench latency` prints.
    func report(gapMs: Int64) -> [String] {
        func p(_ values: [UInt64], _ q: Double) -> Double { LatencyCommand.percentileMicros(values.sorted(), q) }
        let hot = p(walkHotNs, 0.5), cold = p(walkColdNs, 0.5)
        return [
            String(format: "host floor, same %lld ms gap, no Castor code: Dispatch read-source wake µs p50 %.1f p99 %.1f (%d samples)",
                   gapMs, p(wakeNs, 0.5), p(wakeNs, 0.99), wakeNs.count),
            String(format: "host floor: %d dependent loads over 512 KiB µs hot p50 %.1f, after %lld ms asleep p50 %.1f (%.1fx: working set evicted during the gap)",
                   Self.walkSteps, hot, gapMs, cold, cold / hot),
        ]
    }
}

/// The wake-up measurement's shared state: written by the main thread before each write
/// and read and appended by the queue's handler after it, never at the same time (the
/// semaphore orders them).
private final class WakeBox: @unchecked Sendable {
    var sentNs: UInt64 = 0
    var samples: [UInt64] = []
}
