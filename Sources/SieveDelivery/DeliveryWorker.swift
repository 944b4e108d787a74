import Foundation
import SieveConfig
import SieveSinks

/// The thread that feeds one queue's sink: take the oldest events, deliver, acknowledge; on a
/// failure wait as the sink says and try again. Sinks block, so this is a plain thread, never an
/// event loop.
package final class DeliveryWorker: Sendable {
    package let queue: DeliveryQueue
    /// Resumes whoever waits for this thread's end.
    package let exit = WorkerExit()
    private let onExit: @Sendable (DeliveryQueue) -> Void
    private let onSinkReleased: @Sendable (DeliveryQueue) -> Void

    /// `onExit` runs on the worker thread after its last delivery (a drained queue closes there);
    /// `onSinkReleased` after a delivery that ended on a sink a reload had replaced meanwhile.
    package init(
        queue: DeliveryQueue, onSinkReleased: @escaping @Sendable (DeliveryQueue) -> Void = { _ in },
        onExit: @escaping @Sendable (DeliveryQueue) -> Void = { _ in }
    ) {
        self.queue = queue
        self.onExit = onExit
        self.onSinkReleased = onSinkReleased
        let thread = Thread { [self] in self.run() }
        thread.name = "auditsieve-deliver-\(queue.key)"
        thread.start()
    }

    private func run() {
        while let take = queue.next() {
            let sink = queue.beginDelivery()
            do {
                try sink.deliver(take.batch)
                if queue.endDelivery() { onSinkReleased(queue) }
                queue.delivered(take)
            } catch {
                if queue.endDelivery() { onSinkReleased(queue) }
                // What the sink took whole before it failed is not sent again.
                if error.deliveredEvents > 0 { queue.delivered(take, count: error.deliveredEvents) }
                guard queue.failed(take) else { break }
                queue.pause(milliseconds: max(10, error.retryAfterMilliseconds))
            }
        }
        onExit(queue)
        exit.signal()
    }

    /// Blocks until the thread ends; false when it did not within `timeout`. For threads that
    /// may block (tests); tasks use `exit.ended(by:)`.
    package func join(timeout: Duration) -> Bool { exit.join(timeout: timeout) }
}
