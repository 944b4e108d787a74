import Dispatch

/// Calls `SpoolQueue.flush()` every `fsyncIntervalMilliseconds` on a dispatch queue of its own, so
/// that an open block reaches the disk within the interval even when no new events come, and the
/// interval's fsyncs never run on an event-loop thread (under `fsync: .always` the appending thread
/// fsyncs itself, see `SpoolConfiguration.Fsync`).
///
/// The queue does not start this itself (a library type that spawns timers is hard to test and
/// to shut down in order); its owner starts one per queue and calls `cancel()` before `close()`.
public final class SpoolFlushTimer: @unchecked Sendable {
    private let timer: any DispatchSourceTimer

    public init(
        flushing queue: SpoolQueue, on dispatchQueue: DispatchQueue = DispatchQueue(label: "auditsieve.spool.flush")
    ) {
        let interval = DispatchTimeInterval.milliseconds(queue.configuration.fsyncIntervalMilliseconds)
        timer = DispatchSource.makeTimerSource(queue: dispatchQueue)
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(5))
        timer.setEventHandler { [weak queue] in queue?.flush() }
        timer.resume()
    }

    /// Stops the timer; a flush in progress completes.
    public func cancel() { timer.cancel() }

    deinit { timer.cancel() }
}
