import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// Lets a delivery thread (never an event loop) block on a future for a bounded time, and lets
/// `interrupt()` wake every such wait at once, for good: how a sink's `close()` stops a delivery
/// stuck on a stalled peer or a slow connect without waiting for the network.
final class BlockingWaiter: @unchecked Sendable {
    enum Outcome<Value> {
        case success(Value)
        case failure(any Error)
        case timedOut
        case interrupted
    }

    // Guards `interrupted` and every pending result; signalled when either changes.
    private let condition = NSCondition()
    private var interrupted = false

    func wait<Value: Sendable>(for future: EventLoopFuture<Value>, milliseconds: Int) -> Outcome<Value> {
        let result = NIOLockedValueBox<Result<Value, any Error>?>(nil)
        future.whenComplete { outcome in
            result.withLockedValue { $0 = outcome }
            self.condition.lock()
            self.condition.broadcast()
            self.condition.unlock()
        }
        let deadline = Date(timeIntervalSinceNow: Double(milliseconds) / 1000)
        condition.lock()
        defer { condition.unlock() }
        while true {
            switch result.withLockedValue({ $0 }) {
            case .success(let value): return .success(value)
            case .failure(let error): return .failure(error)
            case nil: break
            }
            if interrupted { return .interrupted }
            if !condition.wait(until: deadline), result.withLockedValue({ $0 }) == nil {
                return .timedOut
            }
        }
    }

    func interrupt() {
        condition.lock()
        interrupted = true
        condition.broadcast()
        condition.unlock()
    }
}
