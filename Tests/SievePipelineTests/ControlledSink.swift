import Foundation
import SieveEvent
import SieveSinks

/// A sink for queue tests: keeps what it is given, in order; can be down (throws), or hold
/// deliveries until released, so a test controls exactly when events leave a queue.
final class ControlledSink: EventSink, @unchecked Sendable {
    let name: String
    let encoding = EventEncoding.json
    let gatherMilliseconds: Int
    private let condition = NSCondition()
    private var received: [String] = []
    private var isDown = false
    /// Each delivery takes at most this many events, then fails saying how many it took.
    private var takesAtMost: Int?
    private var holding = false
    private var waitingInDeliver = 0
    private(set) var attempts = 0

    init(name: String = "controlled", gatherMilliseconds: Int = 0) {
        self.name = name
        self.gatherMilliseconds = gatherMilliseconds
    }

    func deliver(_ batch: EventBatch) throws(SinkUnavailable) {
        condition.lock()
        defer { condition.unlock() }
        attempts += 1
        waitingInDeliver += 1
        condition.broadcast()
        while holding { condition.wait() }
        waitingInDeliver -= 1
        if isDown { throw SinkUnavailable(sink: name, reason: "down (test)", retryAfterMilliseconds: 5) }
        let taking = min(batch.count, takesAtMost ?? batch.count)
        for index in 0..<taking {
            received.append(String(decoding: batch.event(index).dropLast(), as: UTF8.self))
        }
        condition.broadcast()
        if taking < batch.count {
            throw SinkUnavailable(
                sink: name, reason: "partial (test)", retryAfterMilliseconds: 1, deliveredEvents: taking)
        }
    }

    /// Every delivery from now on takes at most `count` events and then fails (nil: whole batches).
    func takeAtMost(_ count: Int?) {
        condition.lock()
        takesAtMost = count
        condition.unlock()
    }

    func reopen() {}
    func close() {
        condition.lock()
        holding = false
        condition.broadcast()
        condition.unlock()
    }

    var events: [String] {
        condition.lock()
        defer { condition.unlock() }
        return received
    }

    func setDown(_ down: Bool) {
        condition.lock()
        isDown = down
        condition.unlock()
    }

    /// Deliveries wait inside `deliver` until `release()`.
    func hold() {
        condition.lock()
        holding = true
        condition.unlock()
    }

    func release() {
        condition.lock()
        holding = false
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until a delivery is waiting inside `deliver` (held).
    func waitUntilHeld(timeout: TimeInterval = 10) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date().addingTimeInterval(timeout)
        while waitingInDeliver == 0 { if !condition.wait(until: deadline) { return false } }
        return true
    }

    /// Waits until `count` events arrived (or the timeout passed); returns them.
    func waitFor(_ count: Int, timeout: TimeInterval = 15) -> [String] {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date().addingTimeInterval(timeout)
        while received.count < count { if !condition.wait(until: deadline) { break } }
        return received
    }
}
