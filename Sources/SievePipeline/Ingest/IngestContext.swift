import Synchronization
import Logging
import NIOConcurrencyHelpers
import SieveEvent
import SieveSinks

/// What every ingest connection of every listener shares: the routing table in force (batches
/// take a snapshot when they start, so a reload swaps the table atomically between batches
/// without a lock per event), the pipeline's metrics, the source-host tracker, the `/tail` hub
/// and the bound on held table records.
public final class IngestContext: Sendable {
    private let table: NIOLockedValueBox<RoutingTable>
    public let metrics: PipelineMetrics
    /// Last-seen time and record gaps per source host.
    let sources: SourceTracker
    /// Messages that are not audit records: counted in metrics, logged at most once per 10 s.
    let unknownMessages: RateLimitedLog
    /// Kept events go here too while a `/tail` client is connected.
    public let tail: TailHub
    /// Bounds of each connection's table record joiner (`limits:`).
    let tableRecordLimits: TableRecordJoiner.Limits
    /// Bytes held by all connections' joiners, and their bound (`limits.table_records_held_bytes`).
    let heldTableRecordBytes = Atomic<Int>(0)
    let heldTableRecordBytesLimit: Int

    init(
        table: RoutingTable, metrics: PipelineMetrics, sources: SourceTracker, logger: Logger,
        tail: TailHub = TailHub(),
        tableRecordLimits: TableRecordJoiner.Limits = .init(), heldTableRecordBytesLimit: Int = 64 << 20
    ) {
        self.tableRecordLimits = tableRecordLimits
        self.heldTableRecordBytesLimit = heldTableRecordBytesLimit
        self.table = NIOLockedValueBox(table)
        self.metrics = metrics
        self.sources = sources
        self.tail = tail
        self.unknownMessages = RateLimitedLog(logger: logger)
    }

    public var current: RoutingTable { table.withLockedValue { $0 } }

    /// The table in force for a new batch, counted in its `activeBatches` under the same lock as
    /// `swap`: once `swap` returned, no batch can still take the table it replaced.
    func acquireCurrent() -> RoutingTable {
        table.withLockedValue { table in
            table.activeBatches.add(1, ordering: .relaxed)
            return table
        }
    }

    /// Waits (polling) until no batch holds `old` any more, or `timeout` passed; false then.
    func waitUntilReleased(_ old: RoutingTable, timeout: Duration = .seconds(5)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while old.activeBatches.load(ordering: .acquiring) > 0 {
            guard ContinuousClock.now < deadline, !Task.isCancelled else { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }

    /// Puts a new table in force; returns the one it replaced.
    @discardableResult
    public func swap(_ new: RoutingTable) -> RoutingTable {
        table.withLockedValue { table in
            defer { table = new }
            return table
        }
    }
}
