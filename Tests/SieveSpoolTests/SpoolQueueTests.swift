import Foundation
import Testing
@testable import SieveSpool

@Suite("SpoolQueue: order, acknowledgement, reopen")
struct SpoolQueueTests {
    @Test("events come back in append order across many segments, and leave only when acknowledged")
    func orderAcrossSegments() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let queue = try SpoolQueue(configuration: configuration(directory.path, segmentBytes: 4096, blockBytes: 1024))
        for index in 0..<5000 { #expect(queue.append(numbered(index, padding: index % 50)) == .written) }
        queue.flush()
        #expect(directory.segmentPaths().count > 10)
        #expect(queue.eventCount == 5000)

        let first = queue.peek(maxEvents: 10)
        #expect(first.map { index(of: $0) } == Array(0..<10))
        #expect(queue.peek(maxEvents: 10) == first)
        #expect(queue.eventCount == 5000)

        let all = drain(queue, batch: 333)
        #expect(all.map { index(of: $0) } == Array(0..<5000))
        #expect(queue.eventCount == 0)
        #expect(directory.segmentPaths().count <= 1)
    }

    @Test("a reader keeps up with a writer: it sees events before any flush")
    func readerSeesOpenBlock() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let queue = try SpoolQueue(configuration: configuration(directory.path))
        var expected = 0
        for round in 0..<50 {
            for index in 0..<(round + 1) { _ = queue.append(numbered(expected + index)) }
            let events = drain(queue, batch: 7)
            #expect(events.map { index(of: $0) } == Array(expected..<(expected + round + 1)))
            expected += round + 1
        }
        #expect(queue.eventCount == 0)
    }

    @Test("after a clean close, a reopened queue resumes at the first unacknowledged event")
    func reopenAfterClose() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        do {
            let queue = try SpoolQueue(configuration: configuration(directory.path, segmentBytes: 4096))
            for index in 0..<1000 { _ = queue.append(numbered(index)) }
            _ = queue.peek(maxEvents: 250)
            queue.acknowledge(250)
            queue.close()
        }
        let reopened = try SpoolQueue(configuration: configuration(directory.path, segmentBytes: 4096))
        #expect(reopened.recovery.events == 750)
        #expect(reopened.recovery.corruptSegments == 0 && reopened.recovery.truncatedBytes == 0)
        #expect(reopened.eventCount == 750)
        for index in 1000..<1100 { _ = reopened.append(numbered(index)) }
        #expect(drain(reopened).map { index(of: $0) } == Array(250..<1100))
    }

    @Test("a second process cannot open the same queue while the first holds it")
    func exclusiveLock() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let queue = try SpoolQueue(configuration: configuration(directory.path))
        // flock locks belong to the open file description, so a second open in-process conflicts too.
        #expect(throws: SpoolError.locked(path: directory.path + "/lock")) {
            try SpoolQueue(configuration: configuration(directory.path))
        }
        queue.close()
        _ = try SpoolQueue(configuration: configuration(directory.path))
    }

    @Test("statistics: bytes and events agree with the files, oldest time is the first append")
    func statistics() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let queue = try SpoolQueue(
            configuration: configuration(directory.path, segmentBytes: 4096), clock: { 1_000_000 })
        #expect(queue.oldestEventTime == nil)
        for index in 0..<300 { _ = queue.append(numbered(index, padding: 100)) }
        #expect(queue.oldestEventTime == 1_000_000)
        queue.flush()
        let onDisk = directory.segmentPaths().reduce(0) { $0 + fileSize($1) }
        #expect(queue.bytesOnDisk == onDisk)
        #expect(queue.statistics.eventCount == 300)
    }

    @Test("the oldest event time follows acknowledgements block by block")
    func oldestEventTimeFollowsAcknowledgements() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let now = ManualClock()
        let queue = try SpoolQueue(
            configuration: configuration(directory.path, segmentBytes: 4096, blockBytes: 256), clock: { now.value })
        for index in 0..<400 {
            now.value = Int64(index) * 1000
            _ = queue.append(numbered(index, padding: 20))
        }
        queue.flush()
        var acknowledged = 0
        while acknowledged < 400 {
            let oldest = try #require(queue.oldestEventTime)
            #expect(oldest <= Int64(acknowledged) * 1000 && oldest > Int64(acknowledged) * 1000 - 20_000)
            let events = queue.peek(maxEvents: 37)
            acknowledged += queue.acknowledge(events.count)
        }
        #expect(queue.oldestEventTime == nil)
    }
}

/// A clock the test moves by hand.
final class ManualClock: @unchecked Sendable {
    var value: Int64 = 0
}

@Suite("spool files are never opened through a symbolic link")
struct SpoolNoFollowTests {
    @Test("a lock file replaced by a symlink stops the queue from opening (ELOOP); nothing is created at the target")
    func lockSymlink() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let target = directory.path + "-target"
        defer { try? FileManager.default.removeItem(atPath: target) }
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/lock", withDestinationPath: target)
        #expect(throws: SpoolError.self) { _ = try SpoolQueue(configuration: configuration(directory.path)) }
        #expect(!FileManager.default.fileExists(atPath: target))
    }
}
