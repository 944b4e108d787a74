import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// When a connection last delivered bytes; written by its own event loop, read on eviction.
final class ConnectionActivity: Sendable {
    let lastRead = Atomic<UInt64>(NIODeadline.now().uptimeNanoseconds)
    /// True while the connection is paused because a queue it feeds is full: it is not idle
    /// then, and the idle timeout leaves it open.
    let paused = Atomic<Bool>(false)

    func touch() { lastRead.store(NIODeadline.now().uptimeNanoseconds, ordering: .relaxed) }
}

/// The open connections of one TCP listener. At `maxConnections` the longest-idle connection is
/// closed to admit a new one (a stuck or abandoned sender must not lock out the live ones).
final class ConnectionRegistry: Sendable {
    private struct Entry {
        var channel: any Channel
        var activity: ConnectionActivity
    }

    private let maxConnections: Int
    private let entries = NIOLockedValueBox<[ObjectIdentifier: Entry]>([:])

    init(maxConnections: Int) { self.maxConnections = maxConnections }

    /// Registers a new connection; returns the connection closed to make room, if any.
    @discardableResult
    func admit(_ channel: any Channel, activity: ConnectionActivity) -> (any Channel)? {
        let victim: (any Channel)? = entries.withLockedValue { entries in
            entries[ObjectIdentifier(channel)] = Entry(channel: channel, activity: activity)
            guard entries.count > maxConnections else { return nil }
            let oldest = entries.filter { $0.key != ObjectIdentifier(channel) }
                .min { $0.value.activity.lastRead.load(ordering: .relaxed) < $1.value.activity.lastRead.load(ordering: .relaxed) }
            guard let oldest else { return nil }
            entries.removeValue(forKey: oldest.key)
            return oldest.value.channel
        }
        victim?.close(promise: nil)
        return victim
    }

    func remove(_ channel: any Channel) {
        _ = entries.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    var count: Int { entries.withLockedValue { $0.count } }

    /// Closes every connection (shutdown) and waits for them to finish closing.
    func closeAll() async {
        let channels = entries.withLockedValue { entries in
            let channels = entries.values.map(\.channel)
            entries.removeAll()
            return channels
        }
        for channel in channels {
            try? await channel.close()
        }
    }
}
