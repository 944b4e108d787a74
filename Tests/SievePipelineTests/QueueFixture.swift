import Foundation
import Logging
import MetricsTestKit
import SieveConfig
@testable import SieveDelivery
import SieveSinks
import SieveSpool
import SieveTestSupport

@testable import SievePipeline

/// One delivery queue with its thread, a controlled sink, optional spool in a temporary
/// directory, and in-memory metrics; `kept` counts what the test enqueued.
final class QueueFixture {
    let metrics = TestMetrics()
    let sink: ControlledSink
    let directory: String
    let spool: SpoolQueue?
    let budget: SpoolBudget
    let queue: DeliveryQueue
    let worker: DeliveryWorker
    private(set) var kept = 0
    private var timer: SpoolFlushTimer?

    init(
        spool useSpool: Bool = true, maxBytes: Int = 1 << 20, memoryBytes: Int = 64 << 10,
        whenFull: ClusterSpoolConfig.WhenFull = .dropNewest, durability: ClusterSpoolConfig.Durability = .memory,
        sink: ControlledSink = ControlledSink(), directory: String? = nil, fsyncIntervalMilliseconds: Int = 50,
        fileSystem: any SpoolFileSystem = POSIXSpoolFileSystem()
    ) throws {
        self.sink = sink
        self.directory = directory ?? NSTemporaryDirectory() + "auditsieve-queue-\(UUID().uuidString)"
        budget = SpoolBudget(maxBytes: maxBytes)
        if useSpool {
            spool = try SpoolQueue(
                configuration: SpoolConfiguration(
                    directory: self.directory + "/c/s", maxBytes: 1 << 50, segmentBytes: max(4 << 10, maxBytes / 8),
                    fsync: .interval, fsyncIntervalMilliseconds: fsyncIntervalMilliseconds
                ),
                fileSystem: fileSystem, budget: budget
            )
        } else {
            spool = nil
        }
        var config = ClusterSpoolConfig()
        config.maxBytes = maxBytes
        config.memoryBytes = memoryBytes
        config.whenFull = whenFull
        config.durability = durability
        var logger = Logger(label: "queue-test")
        logger.logLevel = .critical
        queue = DeliveryQueue(
            key: QueueKey(cluster: "c", sink: "s"), sink: sink, settings: QueueSettings(config), spool: spool,
            metrics: QueueMetrics(cluster: "c", sink: "s", factory: metrics), logger: logger
        )
        worker = DeliveryWorker(queue: queue)
        timer = spool.map { SpoolFlushTimer(flushing: $0) }
    }

    /// Enqueues events `range` (each `QueueFixture.event(n)`) in batches of `batchSize`;
    /// returns how many enqueue calls answered "pause".
    @discardableResult
    func enqueue(_ range: Range<Int>, batchSize: Int = 50, blockable: Bool = false) -> Int {
        var pauses = 0
        var start = range.lowerBound
        while start < range.upperBound {
            let end = min(start + batchSize, range.upperBound)
            var batch = EventBatch()
            for n in start..<end { batch.append(Self.event(n)) }
            // Spills run on a thread pool now; a producer this fast would outrun them, so each
            // batch waits for the spill it started, as it did when spills were synchronous. A
            // pause that spill lifts at once is what the synchronous spill never showed: only
            // a queue still full after it counts.
            if queue.enqueue(batch, blockable: blockable) {
                settle()
                if queue.isPressured { pauses += 1 }
            } else {
                settle()
            }
            kept += end - start
            start = end
        }
        return pauses
    }

    /// Event `n`: its number, then 200 bytes of pseudo-random letters (so zstd cannot squeeze the
    /// spool to nothing), then LF.
    static func event(_ n: Int) -> [UInt8] {
        var random = SeededRandom(seed: UInt64(n) &+ 1)
        var bytes = Array(String(format: "e%07d ", n).utf8)
        for _ in 0..<200 { bytes.append(UInt8(97 + Int(random.next() % 26))) }
        bytes.append(0x0A)
        return bytes
    }

    static func number(of event: String) -> Int { Int(event.dropFirst().prefix(7))! }

    var forwarded: Int64 { metrics.counterTotal(label: "auditsieve_forwarded_events_total") }
    var recovered: Int64 { metrics.counterTotal(label: "auditsieve_recovered_events_total") }
    func dropped(_ reason: String? = nil) -> Int64 {
        reason.map { metrics.counterTotal(label: "auditsieve_dropped_events_total", dimensions: [("reason", $0)]) }
            ?? metrics.counterTotal(label: "auditsieve_dropped_events_total")
    }
    var queued: Int { queue.queuedEvents }
    var queuedGauge: Int64 {
        Int64((try? metrics.expectGauge("auditsieve_queued_events", [("cluster", "c"), ("sink", "s")]).lastValue) ?? 0)
    }

    /// kept + recovered = forwarded + queued + dropped.
    var accountingHolds: Bool {
        Int64(kept) + recovered == forwarded + Int64(queued) + dropped()
    }

    /// Waits until the queue is empty (or the timeout passes).
    func waitUntilEmpty(timeout: TimeInterval = 15) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while queued > 0 && Date() < deadline { usleep(5_000) }
        return queued == 0
    }

    /// Waits until no spill runs (at most 10 s).
    func settle() {
        let deadline = ContinuousClock.now + .seconds(10)
        while queue.isSpilling && ContinuousClock.now < deadline { usleep(100) }
    }

    /// Stops like the server does: deliver while the sink takes, then save the rest and close.
    func stop(deliverFor seconds: Double = 0.5) {
        queue.beginStopping()
        sink.release()
        if !worker.join(timeout: .milliseconds(Int(seconds * 1000))) {
            sink.close()
            _ = worker.join(timeout: .seconds(2))
        }
        timer?.cancel()
        queue.finish()
    }

    func removeDirectory() { try? FileManager.default.removeItem(atPath: directory) }
}
