import SieveConfig
import SieveDelivery
import SieveSinks

typealias Machine = DeliveryQueue.StateMachine

/// Builders for state-machine tests: settings, numbered events of a fixed size, instants.
enum MachineFixture {
    static let start = ContinuousClock.now

    static func at(_ milliseconds: Int) -> ContinuousClock.Instant { start + .milliseconds(milliseconds) }

    static func settings(
        memoryBytes: Int = 1000, whenFull: ClusterSpoolConfig.WhenFull = .dropNewest,
        durability: ClusterSpoolConfig.Durability = .memory
    ) -> QueueSettings {
        var config = ClusterSpoolConfig()
        config.memoryBytes = memoryBytes
        config.whenFull = whenFull
        config.durability = durability
        return QueueSettings(config)
    }

    static func machine(
        spool: Bool = true, memoryBytes: Int = 1000, whenFull: ClusterSpoolConfig.WhenFull = .dropNewest,
        durability: ClusterSpoolConfig.Durability = .memory, recovered: Int = 0
    ) -> Machine {
        Machine(
            settings: settings(memoryBytes: memoryBytes, whenFull: whenFull, durability: durability), hasSpool: spool,
            recovered: recovered)
    }

    /// Event `id`: its number, padded to `size` bytes, LF-terminated.
    static func event(_ id: Int, size: Int = 100) -> [UInt8] {
        var bytes = Array("e\(id) ".utf8)
        bytes += [UInt8](repeating: UInt8(ascii: "x"), count: max(0, size - bytes.count - 1))
        bytes.append(0x0A)
        return bytes
    }

    static func batch(_ ids: Range<Int>, size: Int = 100) -> EventBatch {
        EventBatch(events: ids.map { event($0, size: size) })
    }

    static func id(_ event: some Collection<UInt8>) -> Int {
        Int(String(decoding: event.dropFirst().prefix { $0 != UInt8(ascii: " ") }, as: UTF8.self))!
    }

    static func ids(_ batch: EventBatch) -> [Int] { (0..<batch.count).map { id(batch.event($0)) } }

    static func ids(_ job: Machine.SpillJob) -> [Int] {
        var out: [Int] = []
        job.forEachEvent {
            out.append(id($0))
            return true
        }
        return out
    }

    static func ids(_ parts: [Machine.SpillJob.Part]) -> [Int] {
        ids(Machine.SpillJob(firstSeq: 0, shadows: 0, parts: parts))
    }
}

extension Machine.TakeAction {
    /// The batch to deliver, if that is the action.
    var delivering: EventBatch? {
        if case .deliver(let batch) = self { return batch }
        return nil
    }
}
