import NIOCore
import NIOPosix
import Synchronization

/// Threads that read some of a busy connection's bursts while its event loop reads the next
/// one, so that one connection is not bound to one core while another idles. One thread per core
/// but one, shared by every connection (none on a one-core machine). A burst is handed over only
/// when it is worth it: no other event loop is busy with a burst (its core is taken already) and
/// a helper is free; otherwise the event loop reads it itself, as it always did.
final class BurstHelpers: Sendable {
    static let shared = BurstHelpers(threads: max(0, System.coreCount - 1))
    /// No helper: every burst is read where it came.
    static let inline = BurstHelpers(threads: 0)

    /// Bursts of fewer messages are read where they arrived: the hand-off would cost more.
    static let minimumMessages = 32

    let threads: Int
    private let pool: NIOThreadPool?
    /// Bursts handed to helpers and not finished.
    private let running = Atomic<Int>(0)
    /// Connections framing or reading a burst now (event loops with no core to spare).
    private let busyLoops = Atomic<Int>(0)
    /// Bursts read on a helper since the start.
    private let started = Atomic<Int>(0)

    /// Bursts read on a helper since the start.
    var burstsRead: Int { started.load(ordering: .relaxed) }

    init(threads: Int) {
        self.threads = threads
        if threads > 0 {
            let pool = NIOThreadPool(numberOfThreads: threads)
            pool.start()
            self.pool = pool
        } else {
            self.pool = nil
        }
    }

    /// A connection starts (`true`: its burst's first frame) or ends (read) a burst.
    func loopBusy(_ busy: Bool) {
        busyLoops.add(busy ? 1 : -1, ordering: .relaxed)
    }

    /// Runs `work` on a helper and returns its ticket, when a helper is free and no other event
    /// loop is busy; `nil` otherwise (the caller does the work itself).
    func start(_ work: @escaping @Sendable () -> Void) -> BurstTicket? {
        guard let pool, busyLoops.load(ordering: .relaxed) <= 1 else { return nil }
        guard running.add(1, ordering: .relaxed).newValue <= threads else {
            running.subtract(1, ordering: .relaxed)
            return nil
        }
        let ticket = BurstTicket()
        started.add(1, ordering: .relaxed)
        pool.submit { _ in
            // Run even if the pool is stopping: the connection waits for this burst.
            work()
            self.running.subtract(1, ordering: .relaxed)
            ticket.finish()
        }
        return ticket
    }

    /// Stops the threads (a pool made for a test; the shared one lives as long as the process).
    func shutdown() throws {
        try pool?.syncShutdownGracefully()
    }
}
