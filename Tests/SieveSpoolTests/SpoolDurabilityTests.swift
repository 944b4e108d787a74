import Foundation
import Testing
@testable import SieveSpool

@Suite("Durability: flush timer, fsync policies, copies taken mid-write")
struct SpoolDurabilityTests {
    @Test("with the flush timer, an appended event is visible to a fresh reader within the fsync interval")
    func flushTimerInterval() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var settings = configuration(directory.path)
        settings.fsyncIntervalMilliseconds = 100
        let queue = try SpoolQueue(configuration: settings)
        let timer = SpoolFlushTimer(flushing: queue)
        defer { timer.cancel() }
        for round in 0..<3 {
            let start = SpoolQueue.wallClockMilliseconds()
            #expect(queue.append(numbered(round)) == .written)
            var visibleAfter: Int64?
            while visibleAfter == nil && SpoolQueue.wallClockMilliseconds() - start < 5000 {
                if try SpoolInspector.inspect(directory: directory.path).first?.events == round + 1 {
                    visibleAfter = SpoolQueue.wallClockMilliseconds() - start
                }
                usleep(5000)
            }
            let elapsed = try #require(visibleAfter)
            // Generous slack: tests run in parallel on 2 cores; without the timer nothing would show at all.
            #expect(elapsed <= 100 + 900, "an event became visible after \(elapsed) ms")
        }
        let copy = copyOfDirectory(directory.path)
        defer { copy.remove() }
        #expect(drain(try SpoolQueue(configuration: configuration(copy.path))).map { index(of: $0) } == [0, 1, 2])
    }

    @Test(
        "acknowledgements are stored at once under every fsync policy: a copy taken right after sees them",
        arguments: [
            SpoolConfiguration.Fsync.always, .interval, .never,
        ])
    func fsyncPolicies(fsync: SpoolConfiguration.Fsync) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let queue = try SpoolQueue(configuration: configuration(directory.path, segmentBytes: 4096, fsync: fsync))
        for index in 0..<200 { #expect(queue.append(numbered(index)) == .written) }
        _ = queue.peek(maxEvents: 50)
        queue.acknowledge(50)
        let copy = copyOfDirectory(directory.path)
        defer { copy.remove() }
        let recovered = try SpoolQueue(configuration: configuration(copy.path))
        let expected = Array(50..<200)
        #expect(drain(recovered).map { index(of: $0)! } == expected)
    }

    @Test("fsync always with commit: a batch appended without committing is one block, durable once commit() returns")
    func batchCommit() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let queue = try SpoolQueue(configuration: configuration(directory.path, fsync: .always))
        for index in 0..<300 { #expect(queue.append(numbered(index), commit: false) == .written) }
        let before = copyOfDirectory(directory.path)
        defer { before.remove() }
        #expect(drain(try SpoolQueue(configuration: configuration(before.path))).isEmpty, "not written before commit()")
        queue.commit()
        let after = copyOfDirectory(directory.path)
        defer { after.remove() }
        #expect(drain(try SpoolQueue(configuration: configuration(after.path))).map { index(of: $0) } == Array(0..<300))
        #expect(queue.statistics.segments == 1)
        // A committed append of one event still writes and syncs at once.
        #expect(queue.append(numbered(300)) == .written)
        let single = copyOfDirectory(directory.path)
        defer { single.remove() }
        #expect(drain(try SpoolQueue(configuration: configuration(single.path))).count == 301)
    }

    @Test("copies of the directory taken while a writer and a reader run always recover, in order, without duplicates")
    func copiesMidWrite() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let queue = try SpoolQueue(configuration: configuration(directory.path, segmentBytes: 8192, blockBytes: 1024))
        let writer = Task.detached {
            for index in 0..<40_000 {
                _ = queue.append(numbered(index, padding: index % 40))
                if index % 500 == 0 { queue.flush() }
            }
        }
        let reader = Task.detached {
            for _ in 0..<400 {
                let events = queue.peek(maxEvents: 60)
                queue.acknowledge(events.count)
                if events.isEmpty { usleep(200) }
            }
        }
        for _ in 0..<15 {
            let copy = copyOfDirectory(directory.path)
            defer { copy.remove() }
            let recovered = try SpoolQueue(configuration: configuration(copy.path))
            let indexes = drain(recovered, batch: 1000).compactMap { index(of: $0) }
            #expect(zip(indexes, indexes.dropFirst()).allSatisfy { $0 < $1 })
            usleep(2000)
        }
        await writer.value
        await reader.value
        queue.flush()
        let remaining = drain(queue).compactMap { index(of: $0) }
        #expect(remaining.last == 39_999)
        #expect(zip(remaining, remaining.dropFirst()).allSatisfy { $0 + 1 == $1 })
    }
}
