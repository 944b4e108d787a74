import Foundation
import Testing
@testable import SieveSpool

@Suite("Recovery: torn tails, flipped bytes, stale read positions")
struct SpoolRecoveryTests {
    /// A queue with `count` numbered events in blocks of about 512 bytes, flushed, not closed.
    private func spool(_ count: Int, in directory: TemporaryDirectory, segmentBytes: Int = 8192) throws -> SpoolQueue {
        let queue = try SpoolQueue(
            configuration: configuration(directory.path, segmentBytes: segmentBytes, blockBytes: 512))
        for index in 0..<count { #expect(queue.append(numbered(index, padding: index % 17)) == .written) }
        queue.flush()
        return queue
    }

    @Test("a last block cut at every byte offset: every earlier event survives, the tail is counted")
    func truncatedAtEveryOffset() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let queue = try spool(300, in: directory)
        let last = try #require(directory.segmentPaths().last)
        let bytes = readBytes(last)
        let lastBlock = try #require(blockOffsets(last).last)
        let intactCopy = copyOfDirectory(directory.path)
        defer { intactCopy.remove() }
        let intact = try SpoolQueue(configuration: configuration(intactCopy.path)).eventCount
        let header = try #require(bytes.withUnsafeBytes { BlockHeader($0, at: lastBlock) })
        let expected = intact - Int(header.eventCount)
        for cut in lastBlock..<bytes.count {
            let copy = copyOfDirectory(directory.path)
            defer { copy.remove() }
            writeBytes(Array(bytes[..<cut]), to: copy.path + "/" + last.split(separator: "/").last!)
            let recovered = try SpoolQueue(configuration: configuration(copy.path))
            #expect(recovered.recovery.truncatedBytes == cut - lastBlock)
            #expect(recovered.recovery.corruptSegments == 0)
            #expect(recovered.eventCount == expected)
            if cut == lastBlock + 7 || cut == bytes.count - 1 {
                #expect(drain(recovered).map { index(of: $0) } == Array(0..<expected))
            }
        }
        _ = queue
    }

    @Test("a flipped byte inside a middle block loses that block only; the segment is quarantined and counted")
    func flippedByte() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let queue = try spool(2000, in: directory)
        let segments = directory.segmentPaths()
        #expect(segments.count >= 3)
        let victim = segments[1]
        let offsets = blockOffsets(victim)
        let bytes = readBytes(victim)
        let block = offsets[offsets.count / 2]
        let header = try #require(bytes.withUnsafeBytes { BlockHeader($0, at: block) })
        for position in [
            block, block + 2, block + 5, block + 13, block + 20, block + 30, block + Int(header.length) - 1,
        ] {
            let copy = copyOfDirectory(directory.path)
            defer { copy.remove() }
            var damaged = bytes
            damaged[position] ^= 0x5A
            writeBytes(damaged, to: copy.path + "/" + victim.split(separator: "/").last!)
            let recovered = try SpoolQueue(configuration: configuration(copy.path))
            #expect(recovered.recovery.corruptSegments == 1)
            #expect(recovered.recovery.corruptBytes == Int(header.length))
            #expect(recovered.recovery.quarantinedFiles.count == 1)
            #expect(copy.files(".corrupt").count == 1)
            let survivors = drain(recovered).compactMap { index(of: $0) }
            #expect(survivors.count == 2000 - Int(header.eventCount))
            #expect(survivors == survivors.sorted() && Set(survivors).count == survivors.count)
            recovered.close()
            let reopened = try SpoolQueue(configuration: configuration(copy.path))
            #expect(reopened.recovery.corruptSegments == 0)
        }
        _ = queue
    }

    @Test("a damaged segment header: the blocks are salvaged, the segment counted as corrupt")
    func damagedHeader() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let queue = try spool(500, in: directory)
        let first = try #require(directory.segmentPaths().first)
        var bytes = readBytes(first)
        bytes[0] = 0
        let copy = copyOfDirectory(directory.path)
        defer { copy.remove() }
        writeBytes(bytes, to: copy.path + "/" + first.split(separator: "/").last!)
        let recovered = try SpoolQueue(configuration: configuration(copy.path))
        #expect(recovered.recovery.corruptSegments == 1)
        #expect(drain(recovered).map { index(of: $0) } == Array(0..<500))
        _ = queue
    }

    @Test("garbage files never stop start-up")
    func garbage() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        writeBytes(incompressible(10_000, seed: 3), to: directory.path + "/00000000000000000001.seg")
        writeBytes([1, 2, 3], to: directory.path + "/00000000000000000002.seg")
        writeBytes(incompressible(28, seed: 4), to: directory.path + "/read-position")
        writeBytes([], to: directory.path + "/00000000000000000003.seg")
        let queue = try SpoolQueue(configuration: configuration(directory.path))
        #expect(queue.eventCount == 0)
        #expect(queue.recovery.readPositionIgnored)
        #expect(queue.append(numbered(1)) == .written)
        #expect(drain(queue).count == 1)
    }

    @Test("a read position naming a deleted segment is ignored; older segments than the one it names are acknowledged")
    func staleReadPosition() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let queue = try spool(2000, in: directory)
        let ids = directory.segmentPaths().compactMap {
            SegmentFormat.id(fromFileName: String($0.split(separator: "/").last!))
        }
        #expect(ids.count >= 3)
        queue.close()

        let deleted = copyOfDirectory(directory.path)
        defer { deleted.remove() }
        writeBytes(
            ReadPosition(segmentID: ids[0] - 1, blockOffset: 999, eventsConsumed: 3).encoded(),
            to: deleted.path + "/read-position")
        #expect(try SpoolQueue(configuration: configuration(deleted.path)).eventCount == 2000)

        let resurrected = copyOfDirectory(directory.path)
        defer { resurrected.remove() }
        writeBytes(
            ReadPosition(segmentID: ids[1], blockOffset: SegmentFormat.headerSize, eventsConsumed: 2).encoded(),
            to: resurrected.path + "/read-position")
        let recovered = try SpoolQueue(configuration: configuration(resurrected.path))
        #expect(recovered.recovery.removedAcknowledgedSegments == 1)
        let events = drain(recovered).compactMap { index(of: $0) }
        #expect(events.first.map { $0 > 2 } == true)
        #expect(events == Array(events.first!..<2000))
    }

    @Test(
        "a crash right after acknowledge resumes after the last acknowledged event; an older stored position brings duplicates, never loss"
    )
    func acknowledgementSurvivesCrash() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let queue = try spool(1000, in: directory)
        _ = queue.peek(maxEvents: 100)
        queue.acknowledge(100)
        queue.flush()
        let flushed = try #require(FileManager.default.contents(atPath: directory.path + "/read-position"))
        _ = queue.peek(maxEvents: 100)
        queue.acknowledge(100)
        // kill -9 now: no flush since the second acknowledge.
        let crashed = copyOfDirectory(directory.path)
        defer { crashed.remove() }
        #expect(
            drain(try SpoolQueue(configuration: configuration(crashed.path))).map { index(of: $0) } == Array(200..<1000)
        )
        // A power loss may leave the position of the last flush: those events come again.
        let stale = copyOfDirectory(directory.path)
        defer { stale.remove() }
        writeBytes(Array(flushed), to: stale.path + "/read-position")
        #expect(
            drain(try SpoolQueue(configuration: configuration(stale.path))).map { index(of: $0) } == Array(100..<1000))
    }

    @Test("a crash after the reader caught up with the writer replays nothing; later appends come next")
    func caughtUpReaderSurvivesCrash() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let queue = try SpoolQueue(configuration: configuration(directory.path, segmentBytes: 1 << 20))
        for index in 0..<300 { #expect(queue.append(numbered(index)) == .written) }
        #expect(queue.peek(maxEvents: 1000).count == 300)
        queue.acknowledge(300)
        let crashed = copyOfDirectory(directory.path)
        defer { crashed.remove() }
        let recovered = try SpoolQueue(configuration: configuration(crashed.path, segmentBytes: 1 << 20))
        #expect(recovered.eventCount == 0, "the position at the end of the segment is honoured")
        #expect(recovered.recovery.readPositionIgnored == false)
        #expect(recovered.append(numbered(300)) == .written)
        #expect(drain(recovered).map { index(of: $0) } == [300])
    }

    @Test("a block damaged on disk after recovery is skipped with the rest of its segment, and counted")
    func damagedWhileOpen() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let queue = try spool(2000, in: directory)
        let victim = directory.segmentPaths()[1]
        let offsets = blockOffsets(victim)
        var bytes = readBytes(victim)
        bytes[offsets[1] + 40] ^= 0xFF
        writeBytes(bytes, to: victim)
        let events = drain(queue).compactMap { index(of: $0) }
        let statistics = queue.statistics
        #expect(statistics.corruptBlocks == 1)
        #expect(events.count + statistics.lostEvents == 2000)
        #expect(events == events.sorted())
        #expect(queue.eventCount == 0)
    }
}
