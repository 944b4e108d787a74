import Foundation
import SieveTestSupport
import Testing
@testable import SieveSpool

@Suite("Bounds: max_bytes, full disk, oversize events")
struct SpoolBoundTests {
    @Test(
        "bytes on disk never exceed max_bytes by more than one block; acknowledgements free space",
        arguments: [false, true])
    func byteBound(compressible: Bool) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let maxBytes = 1 << 20
        let queue = try SpoolQueue(configuration: configuration(directory.path, maxBytes: maxBytes))
        var generator = AuditEventGenerator()
        var written = 0
        var fullAnswers = 0
        for index in 0..<200_000 {
            let event = compressible ? generator.event(index) : incompressible(700, seed: UInt64(index + 1))
            switch queue.append(event) {
            case .written: written += 1
            case .full: fullAnswers += 1
            case .tooLarge: Issue.record("unexpected tooLarge")
            }
            if index % 97 == 0 { queue.flush() }
            #expect(queue.bytesOnDisk <= maxBytes + 1024)
            if fullAnswers > 50 { break }
        }
        queue.flush()
        let onDisk = directory.segmentPaths().reduce(0) { $0 + fileSize($1) }
        #expect(onDisk == queue.bytesOnDisk)
        #expect(onDisk <= maxBytes + 1024)
        #expect(onDisk > maxBytes - 3 * (64 << 10) - maxBytes / 8)
        #expect(queue.statistics.fullRejections == fullAnswers)
        #expect(queue.eventCount == written)

        _ = queue.peek(maxEvents: written / 2)
        queue.acknowledge(written / 2)
        #expect(queue.bytesOnDisk < maxBytes / 2 + maxBytes / 8 + (64 << 10))
        #expect(queue.append(generator.event(0)) == .written)
        #expect(drain(queue).count == written - written / 2 + 1)
    }

    @Test(
        "three queues sharing a cluster's budget stay within max_bytes together, open blocks included",
        arguments: [false, true])
    func sharedBudgetBound(compressible: Bool) throws {
        let maxBytes = 1 << 20
        let budget = SpoolBudget(maxBytes: maxBytes)
        let directories = (0..<3).map { _ in TemporaryDirectory() }
        defer { for directory in directories { directory.remove() } }
        let queues = try directories.map {
            try SpoolQueue(configuration: configuration($0.path, maxBytes: maxBytes), budget: budget)
        }
        var generator = AuditEventGenerator()
        var full = [false, false, false]
        var accepted = 0
        for index in 0..<100_000 where full.contains(false) {
            let which = index % 3
            let event = compressible ? generator.event(index) : incompressible(700, seed: UInt64(index + 1))
            switch queues[which].append(event) {
            case .written: accepted += 1
            case .full: full[which] = true
            case .tooLarge: Issue.record("unexpected tooLarge")
            }
        }
        #expect(!full.contains(false), "every queue reached the shared bound")
        for queue in queues { queue.flush() }
        let onDisk = directories.flatMap { $0.segmentPaths() }.reduce(0) { $0 + fileSize($1) }
        // The open blocks were reserved: written out, everything still fits (zstd may expand
        // incompressible data by a few bytes per block).
        #expect(onDisk <= maxBytes + 3 * 512, "\(onDisk) bytes on disk for max_bytes \(maxBytes)")
        #expect(onDisk > maxBytes / 2, "the bound was used")
        #expect(budget.usedBytes == onDisk)
        #expect(queues.reduce(0) { $0 + $1.eventCount } == accepted)
    }

    @Test("an event that can never fit is answered tooLarge, not full")
    func tooLarge() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let queue = try SpoolQueue(configuration: configuration(directory.path, maxBytes: 64 << 10))
        #expect(queue.append([UInt8](repeating: 1, count: 70 << 10)) == .tooLarge)
        #expect(queue.append(incompressible(60 << 10, seed: 1)) == .written)
        #expect(queue.append(incompressible(60 << 10, seed: 2)) == .full)
        #expect(queue.statistics.oversizeRejections == 1)
        #expect(drain(queue).count == 1)
        #expect(queue.append(incompressible(60 << 10, seed: 3)) == .written)
    }

    @Test(
        "a full disk (ENOSPC, EDQUOT, EFBIG) answers full, keeps every accepted event, and recovers when space returns",
        arguments: [ENOSPC, EDQUOT, EFBIG])
    func fullDisk(errno failure: Int32) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let fileSystem = FillingFileSystem(budget: 20_000, failure: failure)
        let queue = try SpoolQueue(
            configuration: configuration(directory.path, segmentBytes: 8192, blockBytes: 2048), fileSystem: fileSystem)
        var accepted: [Int] = []
        var full = 0
        for index in 0..<3000 {
            switch queue.append(incompressible(100, seed: UInt64(index + 1)) + numbered(index)) {
            case .written: accepted.append(index)
            case .full: full += 1
            case .tooLarge: Issue.record("unexpected tooLarge")
            }
            if index % 50 == 0 { queue.flush() }
        }
        #expect(full > 0)
        #expect(queue.statistics.outOfSpaceErrors > 0)
        #expect(queue.statistics.fullRejections == full)
        fileSystem.grow(by: 10 << 20)
        #expect(queue.append(numbered(99_999)) == .written)
        let events = drain(queue).map { Array($0.suffix(from: $0.count > 100 ? 100 : 0)) }
        #expect(events.compactMap { index(of: $0) } == accepted + [99_999])
    }

    @Test(
        "a disk that only delivery frees (HOSTILE D1): every accepted event is read, the unwritten block from memory, and read segments give their space back",
        arguments: [SpoolConfiguration.Fsync.interval, .always])
    func fullDiskFreedByDelivery(fsync: SpoolConfiguration.Fsync) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        // The disk is far smaller than a quarter segment: the whole spool is one active segment,
        // which the old code never deleted once read.
        let fileSystem = FillingFileSystem(budget: 60_000)
        let queue = try SpoolQueue(
            configuration: configuration(directory.path, segmentBytes: 1 << 20, blockBytes: 2048, fsync: fsync),
            fileSystem: fileSystem)
        var next = 0
        for round in 0..<6 {
            var accepted: [Int] = []
            var refusals = 0
            // Fill until the disk refuses a few appends; a refused event is the sender's to keep.
            while refusals < 3 {
                switch queue.append(incompressible(120, seed: UInt64(next + 1)) + numbered(next)) {
                case .written: accepted.append(next)
                case .full: refusals += 1
                case .tooLarge: Issue.record("unexpected tooLarge")
                }
                next += 1
            }
            queue.flush()
            #expect(queue.statistics.outOfSpaceErrors > 0, "round \(round): the disk filled")
            #expect(accepted.count > 200, "round \(round): space freed by the last drain was used again")
            let read = drain(queue, batch: 37).compactMap { index(of: Array($0.dropFirst(120))) }
            #expect(read == accepted, "round \(round): every accepted event once, in order")
            #expect(queue.eventCount == 0)
            // The read segment is deleted at the latest when the next write needs its space.
            #expect(queue.append(incompressible(1500, seed: 7)) == .written)
            queue.flush()
            #expect(fileSystem.free > 55_000, "round \(round): the read segment was deleted")
            #expect(drain(queue).count == 1)
        }
    }

    @Test("events a reader took from the unwritten block are read once when the block is written later")
    func servedBlockWrittenLater() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let fileSystem = FillingFileSystem(budget: 30_000)
        let queue = try SpoolQueue(
            configuration: configuration(directory.path, segmentBytes: 8192, blockBytes: 2048), fileSystem: fileSystem)
        var accepted: [Int] = []
        var next = 0
        while queue.append(incompressible(120, seed: UInt64(next + 1)) + numbered(next)) != .full {
            accepted.append(next)
            next += 1
        }
        // Everything, the unwritten block included (from memory).
        let all = queue.peek(maxEvents: 100_000)
        #expect(all.count == accepted.count)
        // Acknowledge all but the last 40 (some on disk in the last segment, the rest in the
        // unwritten block): earlier segments are deleted, so the disk is no longer known to be
        // full; then space comes back and the next read writes the block out.
        queue.acknowledge(all.count - 40)
        fileSystem.grow(by: 1 << 20)
        let rest = queue.peek(maxEvents: 100).compactMap { index(of: Array($0.dropFirst(120))) }
        #expect(rest == Array(accepted.suffix(40)), "read once each: \(rest)")
        queue.acknowledge(rest.count)
        #expect(queue.eventCount == 0)
        #expect(queue.peek(maxEvents: 100).isEmpty)
    }

    @Test("a full disk during recovery's rewrite still starts")
    func fullDiskDuringRecovery() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        do {
            let queue = try SpoolQueue(
                configuration: configuration(directory.path, segmentBytes: 8192, blockBytes: 512))
            for index in 0..<2000 { _ = queue.append(numbered(index)) }
            queue.close()
        }
        let segment = directory.segmentPaths()[1]
        var bytes = readBytes(segment)
        bytes[blockOffsets(segment)[2] + 30] ^= 1
        writeBytes(bytes, to: segment)
        let queue = try SpoolQueue(
            configuration: configuration(directory.path), fileSystem: FillingFileSystem(budget: 0))
        #expect(queue.recovery.corruptSegments == 1)
        #expect(queue.recovery.quarantinedFiles.count == 1)
        #expect(queue.append(numbered(1)) == .written)
        queue.flush()
        #expect(queue.statistics.outOfSpaceErrors > 0)
        // The event appended after the start comes last, from memory: the disk never took it.
        let survivors = drain(queue).compactMap { index(of: $0) }
        #expect(survivors.count > 1000 && survivors.dropLast() == survivors.dropLast().sorted() && survivors.last == 1)
    }

    @Test("ten fill-to-full and drain cycles in a row: every accepted event arrives once, in order")
    func tenCycles() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let queue = try SpoolQueue(configuration: configuration(directory.path, maxBytes: 256 << 10, blockBytes: 4096))
        var next = 0
        for _ in 0..<10 {
            var accepted: [Int] = []
            while true {
                let result = queue.append(incompressible(300, seed: UInt64(next + 1)) + numbered(next))
                if result == .full { break }
                accepted.append(next)
                next += 1
            }
            queue.flush()
            #expect(accepted.count > 500)
            #expect(drain(queue, batch: 64).compactMap { index(of: Array($0.dropFirst(300))) } == accepted)
            next += 1
        }
    }
}
