import Dispatch
import NIOConcurrencyHelpers
import NIOCore

/// Lets a delivery thread (never an event loop) block on a future for a bounded time, and lets
/// `interrupt()` wake every such wait at once, for good: how a sink's `close()` stops a delivery
/// stuck on a stalled peer or a slow connect without waiting for the network.
///
/// Each wait sleeps on a semaphore of its own with a `DispatchTime` deadline, which is monotonic:
/// a wall-clock step (NTP, an operator) neither stretches nor cuts a timeout.
final class BlockingWaiter: Sendable {
    enum Outcome<Value> {
        case success(Value)
        case failure(any Error)
        case timedOut
        case interrupted
    }

    private struct Waits {
        var interrupted = false
        var nextID = 0
        /// The semaphore of every wait in progress, for `interrupt()` to signal.
        var sleeping: [Int: DispatchSemaphore] = [:]
    }

    private let waits = NIOLockedValueBox(Waits())

    func wait<Value: Sendable>(for future: EventLoopFuture<Value>, milliseconds: Int) -> Outcome<Value> {
        let deadline = DispatchTime.now() + .milliseconds(milliseconds)
        let wake = DispatchSemaphore(value: 0)
        let result = NIOLockedValueBox<Result<Value, any Error>?>(nil)
        future.whenComplete { outcome in
            result.withLockedValue { $0 = outcome }
            wake.signal()
        }
        let id = waits.withLockedValue { waits -> Int? in
            guard !waits.interrupted else { return nil }
            defer { waits.nextID += 1 }
            waits.sleeping[waits.nextID] = wake
            return waits.nextID
        }
        if let id {
            // One signal ends the wait: the future's or `interrupt()`'s; a semaphore has no
            // spurious wake-ups.
            _ = wake.wait(timeout: deadline)
            waits.withLockedValue { _ = $0.sleeping.removeValue(forKey: id) }
        }
        // A result that is there wins over an interruption, as over a timeout.
        switch result.withLockedValue({ $0 }) {
        case .success(let value): return .success(value)
        case .failure(let error): return .failure(error)
        case nil: return id == nil || waits.withLockedValue({ $0.interrupted }) ? .interrupted : .timedOut
        }
    }

    func interrupt() {
        let sleeping = waits.withLockedValue { waits in
            waits.interrupted = true
            return Array(waits.sleeping.values)
        }
        for wake in sleeping { wake.signal() }
    }
}
