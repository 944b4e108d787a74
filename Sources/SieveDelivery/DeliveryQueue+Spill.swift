import SieveSinks
import SieveSpool

/// Performing a spill the machine asked for, on `spillPool` (never an event loop).
extension DeliveryQueue {
    /// Appends the job's events in order, stopping at the first the spool refuses (a too-large
    /// one from memory is dropped and the spill goes on); with `fsync: always` commits once at
    /// the end, so what the machine learns is on disk is durable. Then reports.
    func spill(_ job: StateMachine.SpillJob) {
        guard let spool else { return }
        assertOffEventLoop("append")
        var processed = 0
        var tooLarge = 0
        var ending = StateMachine.SpillOutcome.Ending.done
        job.forEachEvent { event in
            switch spool.append(event, commit: false) {
            case .written:
                processed += 1
                return true
            case .full:
                ending = .full
                return false
            case .tooLarge:
                guard processed >= job.shadows else {
                    ending = .unspillable
                    return false
                }
                processed += 1
                tooLarge += 1
                logger.error(
                    "event too large for the spool; dropped", metadata: ["queue": "\(key)", "bytes": "\(event.count)"])
                return true
            }
        }
        if processed > tooLarge {
            assertOffEventLoop("commit")
            spool.commit()
        }
        step { $0.spilled(.init(processed: processed, tooLarge: tooLarge, ending: ending)) }
        metrics.spoolBytes.record(spool.bytesOnDisk)
    }
}
