import Foundation
import Testing
@testable import SieveSpool

@Suite("SpoolInspector")
struct SpoolInspectorTests {
    @Test("reports segments, bytes, unacknowledged events, oldest age and corrupt segments per queue")
    func report() throws {
        let spool = TemporaryDirectory()
        defer { spool.remove() }
        let billing = try SpoolQueue(
            configuration: configuration(spool.path + "/billing/siem", segmentBytes: 4096, blockBytes: 512),
            clock: { 1_000_000 })
        for index in 0..<1000 { _ = billing.append(numbered(index)) }
        _ = billing.peek(maxEvents: 300)
        billing.acknowledge(300)
        billing.flush()
        let archive = try SpoolQueue(configuration: configuration(spool.path + "/billing/archive"))
        _ = archive.append(numbered(1))
        archive.flush()
        writeBytes([1, 2, 3], to: spool.path + "/billing/archive/00000000000000000009.seg.corrupt")

        let reports = try SpoolInspector.inspect(directory: spool.path, now: 1_005_000)
        #expect(reports.map(\.name) == ["billing/archive", "billing/siem"])
        let siem = reports[1]
        #expect(siem.events == 700)
        #expect(siem.segments == billing.statistics.segments)
        #expect(siem.bytes == billing.bytesOnDisk)
        #expect(siem.oldestEventAgeMilliseconds == 5000)
        #expect(siem.corruptSegments == 0 && siem.tailBytes == 0)
        #expect(reports[0].events == 1 && reports[0].corruptSegments == 1)
    }

    @Test("a queue read to the end of its active segment reports 0 events (the read position is at the segment's end)")
    func fullyRead() throws {
        let spool = TemporaryDirectory()
        defer { spool.remove() }
        let queue = try SpoolQueue(configuration: configuration(spool.path + "/c/s", blockBytes: 512))
        for index in 0..<200 { _ = queue.append(numbered(index)) }
        queue.flush()
        #expect(try SpoolInspector.inspect(directory: spool.path)[0].events == 200)
        var left = 200
        while left > 0 { left -= queue.acknowledge(queue.peek(maxEvents: 64).count) }
        queue.flush()
        let report = try SpoolInspector.inspect(directory: spool.path)[0]
        #expect(report.segments >= 1, "the active segment stays")
        #expect(report.events == 0)
        #expect(report.payloadBytes > 0 && report.blockBytes > 0)
    }

    @Test("inspection writes nothing and works on a live spool with a block half written")
    func liveSpool() throws {
        let spool = TemporaryDirectory()
        defer { spool.remove() }
        let queue = try SpoolQueue(configuration: configuration(spool.path, segmentBytes: 1 << 20))
        for index in 0..<500 { _ = queue.append(numbered(index)) }
        queue.flush()
        let segment = try #require(spool.segmentPaths().last)
        let handle = try #require(FileHandle(forWritingAtPath: segment))
        handle.seekToEndOfFile()
        handle.write(Data([24, 0, 0, 0, 9, 9]))
        try handle.close()
        let before = spool.files().map { ($0, readBytes(spool.path + "/" + $0)) }.map { "\($0.0):\($0.1.count)" }
        let report = try #require(try SpoolInspector.inspect(directory: spool.path).first)
        #expect(report.events == 500 && report.tailBytes == 6 && report.corruptSegments == 0)
        #expect(spool.files().map { ($0, readBytes(spool.path + "/" + $0)) }.map { "\($0.0):\($0.1.count)" } == before)
    }
}
