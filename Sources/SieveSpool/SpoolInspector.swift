/// Read-only inspection of a spool directory for `auditsieve spool inspect`.
///
/// It takes no lock and writes nothing, so it can run against a live spool: a segment deleted
/// while it looks is skipped, a block being written shows up as `tailBytes`, and the event count
/// follows the read position as last stored by the owning process.
public enum SpoolInspector {
    /// Reports every queue under `directory` (any directory, up to four levels down, holding
    /// segment files, a read position or quarantined files), sorted by name.
    public static func inspect(
        directory: String, fileSystem: any SpoolFileSystem = POSIXSpoolFileSystem(),
        now: Int64 = SpoolQueue.wallClockMilliseconds()
    ) throws -> [SpoolQueueReport] {
        var reports: [SpoolQueueReport] = []
        var pending: [(path: String, name: String, depth: Int)] = [(directory, ".", 0)]
        while let (path, name, depth) = pending.popLast() {
            let entries = try fileSystem.contents(ofDirectory: path)
            let isQueue = entries.contains {
                SegmentFormat.id(fromFileName: $0) != nil || $0 == SegmentFormat.readPositionName
                    || $0.hasSuffix(SegmentFormat.corruptSuffix)
            }
            if isQueue {
                reports.append(inspectQueue(path, name: name, entries: entries, fileSystem: fileSystem, now: now))
            }
            guard depth < 4 else { continue }
            for entry in entries.sorted() where fileSystem.isDirectory(path + "/" + entry) {
                pending.append((path + "/" + entry, name == "." ? entry : name + "/" + entry, depth + 1))
            }
        }
        return reports.sorted { $0.name < $1.name }
    }

    private static func inspectQueue(
        _ path: String, name: String, entries: [String], fileSystem: any SpoolFileSystem, now: Int64
    ) -> SpoolQueueReport {
        var report = SpoolQueueReport(name: name)
        report.corruptSegments = entries.filter { $0.hasSuffix(SegmentFormat.corruptSuffix) }.count
        let position = (try? fileSystem.readAll(path + "/" + SegmentFormat.readPositionName)).flatMap(
            ReadPosition.init(decoding:))
        var positionPending = position != nil
        for id in entries.compactMap(SegmentFormat.id(fromFileName:)).sorted() {
            if let position, id < position.segmentID { continue }
            guard let bytes = try? fileSystem.readAll(path + "/" + SegmentFormat.fileName(for: id)) else { continue }
            let scan = bytes.withUnsafeBytes { SegmentScan($0) }
            report.segments += 1
            report.bytes += bytes.count
            report.tailBytes += scan.tornTail?.count ?? 0
            if scan.isCorrupt { report.corruptSegments += 1 }
            for block in scan.blocks {
                report.payloadBytes +=
                    Int(block.header.uncompressedLength) - BlockHeader.eventFraming * Int(block.header.eventCount)
                report.blockBytes += Int(block.header.length)
            }
            var blocks = scan.blocks[...]
            var skip = 0
            if positionPending, let position, position.segmentID == id {
                // Blocks before the read position are read; at the segment's end, all of them are.
                blocks = blocks.drop { $0.offset < position.blockOffset }
                if let first = blocks.first, first.offset == position.blockOffset {
                    skip = min(position.eventsConsumed, Int(first.header.eventCount))
                }
            }
            positionPending = false
            report.events += blocks.reduce(0) { $0 + Int($1.header.eventCount) } - skip
            if report.oldestEventTime == nil, let first = blocks.first(where: { _ in true }) {
                report.oldestEventTime = first.header.firstEventTime
                report.oldestEventAgeMilliseconds = max(0, now - first.header.firstEventTime)
            }
        }
        return report
    }
}
