import Foundation
import SieveSinks

extension QueueRegistry {
    /// Shutdown: deliver while sinks take events, until `deliverFor` has passed (queues that
    /// cannot save what they hold, memory-only or with a full disk, until `orUpTo`); then close
    /// the sinks (ending deliveries stuck on a stalled peer), move what is left in memory to the
    /// spools, fsync and close them. Awaits the workers' ends with deadlines on the monotonic
    /// clock; the saving and fsyncs run on a thread of their own, never on the caller's.
    package func shutdown(deliverFor: Duration, orUpTo extended: Duration, sinks: [any EventSink]) async {
        let entries = state.withLock { $0.entries }
        let start = ContinuousClock.now
        for entry in entries { entry.queue.beginStopping(retryUnsavedUntil: start + extended) }
        var stuck = false
        var unsaved: [Entry] = []
        for entry in entries where !(await entry.worker.exit.ended(by: start + deliverFor)) {
            if entry.queue.cannotSaveWhatItHolds { unsaved.append(entry) } else { stuck = true }
        }
        for entry in unsaved where !(await entry.worker.exit.ended(by: start + extended)) { stuck = true }
        let retired = state.withLock { state in
            defer { state.sinksToClose = [:] }
            return Array(state.sinksToClose.values)
        }
        for sink in sinks + retired { sink.close() }
        if stuck {
            let deadline = ContinuousClock.now + .seconds(1)
            for entry in entries { _ = await entry.worker.exit.ended(by: deadline) }
        }
        await onThreadOfItsOwn {
            for entry in entries {
                entry.timer?.cancel()
                entry.queue.finish()
            }
        }
    }

    /// Runs `body` on a new thread (it may block) and resumes when it returns.
    private func onThreadOfItsOwn(_ body: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                body()
                continuation.resume()
            }
            thread.name = "auditsieve-queue-close"
            thread.start()
        }
    }
}
