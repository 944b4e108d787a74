import Foundation
import Logging
import SieveConfig
import SieveSinks

/// The thread that feeds one queue's sink: take the oldest events, deliver, acknowledge; on a
/// failure wait as the sink says and try again. Sinks block, so this is a plain thread, never an
/// event loop.
final class DeliveryWorker: @unchecked Sendable {
    package let queue: DeliveryQueue
    private let done = DispatchSemaphore(value: 0)
    private let onExit: @Sendable (DeliveryQueue) -> Void

    /// `onExit` runs on the worker thread after its last delivery (a drained queue closes there).
    package init(queue: DeliveryQueue, onExit: @escaping @Sendable (DeliveryQueue) -> Void = { _ in }) {
        self.queue = queue
        self.onExit = onExit
        let thread = Thread { [self] in self.run() }
        thread.name = "auditsieve-deliver-\(queue.key)"
        thread.start()
    }

    private func run() {
        while let take = queue.next() {
            let sink = queue.sink
            do {
                try sink.deliver(take.batch)
                queue.delivered(take)
            } catch {
                // What the sink took whole before it failed is not sent again.
                if error.deliveredEvents > 0 { queue.delivered(take, count: error.deliveredEvents) }
                guard queue.failed(take) else { break }
                queue.pause(milliseconds: max(10, error.retryAfterMilliseconds))
            }
        }
        onExit(queue)
        done.signal()
    }

    /// Waits for the thread to end; false when it did not by `deadline`.
    package func join(deadline: DispatchTime) -> Bool {
        guard done.wait(timeout: deadline) == .success else { return false }
        done.signal()
        return true
    }
}
