extension DeliveryQueue.StateMachine {
    /// The accounting counters (the metrics mirror them).
    package struct Counters: Equatable, Sendable {
        package var enqueued = 0
        package var recovered = 0
        package var forwarded = 0
        /// By `QueueMetrics.DropReason.allCases` index.
        package var dropped = [Int](repeating: 0, count: QueueMetrics.DropReason.allCases.count)
        /// Spills the full spool stopped.
        package var spoolFull = 0

        package var droppedTotal: Int { dropped.reduce(0, +) }

        package func dropped(_ reason: QueueMetrics.DropReason) -> Int {
            dropped[QueueMetrics.DropReason.allCases.firstIndex(of: reason)!]
        }

        mutating func drop(_ count: Int, _ reason: QueueMetrics.DropReason) {
            dropped[QueueMetrics.DropReason.allCases.firstIndex(of: reason)!] += count
        }
    }
}
