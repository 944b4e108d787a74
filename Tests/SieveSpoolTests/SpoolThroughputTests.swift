import Foundation
import Testing
@testable import SieveSpool

@Suite("Throughput and compression on audit JSON")
struct SpoolThroughputTests {
    /// `SPOOL_BENCH_EVENTS` raises the event count for a release-build measurement
    /// (`swift test -c release -Xswiftc -enable-testing --filter Throughput`).
    @Test("spooling audit JSON: compression ratio and append rate (printed)")
    func compressionAndRate() throws {
        let count = ProcessInfo.processInfo.environment["SPOOL_BENCH_EVENTS"].flatMap(Int.init) ?? 20_000
        var generator = AuditEventGenerator()
        let events = (0..<count).map { generator.event($0) }
        let rawBytes = events.reduce(0) { $0 + $1.count }
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let queue = try SpoolQueue(configuration: configuration(directory.path, maxBytes: 4 << 30))

        let start = DispatchTime.now().uptimeNanoseconds
        for event in events { _ = queue.append(event) }
        queue.flush()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9

        let ratio = Double(rawBytes) / Double(queue.bytesOnDisk)
        print(
            String(
                format:
                    "spool: %d audit JSON events, %.0f B avg, %.1f MB raw -> %.2f MB on disk, ratio %.2f:1, %.0f events/s (%.0f MB/s raw)",
                count, Double(rawBytes) / Double(count), Double(rawBytes) / 1e6, Double(queue.bytesOnDisk) / 1e6, ratio,
                Double(count) / seconds, Double(rawBytes) / 1e6 / seconds))
        #expect(ratio > 3)
        #expect(queue.eventCount == count)

        let readStart = DispatchTime.now().uptimeNanoseconds
        let read = drain(queue, batch: 1000)
        let readSeconds = Double(DispatchTime.now().uptimeNanoseconds - readStart) / 1e9
        print(String(format: "spool: replay %.0f events/s", Double(read.count) / readSeconds))
        #expect(read.count == count && read.first == events.first && read.last == events.last)
    }
}
