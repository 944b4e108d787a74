import Dispatch
import Synchronization

/// The end of a worker thread, observable without blocking a task: `ended(by:)` suspends until
/// the thread ends or a deadline passes; `join(timeout:)` blocks, for threads that may.
package final class WorkerExit: Sendable {
    private struct State {
        var ended = false
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        /// Waits cancelled before they registered.
        var cancelled: Set<Int> = []
    }

    private let state = Mutex(State())
    private let done = DispatchSemaphore(value: 0)

    package init() {}

    /// The thread ended: every waiter resumes.
    func signal() {
        let waiters = state.withLock { state in
            state.ended = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
        done.signal()
    }

    package var hasEnded: Bool { state.withLock { $0.ended } }

    /// True once the thread has ended; false if `deadline` (monotonic) came first.
    package func ended(by deadline: ContinuousClock.Instant) async -> Bool {
        if hasEnded { return true }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.waitForEnd()
                return true
            }
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first || hasEnded
        }
    }

    /// Blocks until the thread ends; false when it did not within `timeout`.
    package func join(timeout: Duration) -> Bool {
        guard done.wait(timeout: timeout.fromNow) == .success else { return false }
        done.signal()
        return true
    }

    private func waitForEnd() async {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.ended || state.cancelled.remove(id) != nil { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
                if !state.ended { state.cancelled.insert(id) }
                return nil
            }
            waiter?.resume()
        }
    }
}
