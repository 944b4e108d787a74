/// Start-up recovery of one queue directory: checks every checksum of every segment, cuts torn
/// tails, rewrites corrupt segments with their intact blocks (keeping the original as
/// `*.corrupt`), deletes segments the read position proves acknowledged, and rebuilds the byte
/// and event counts from what is on disk. It runs before the queue accepts any call, so it is
/// allowed to both create and delete files.
struct SpoolRecovery {
    struct Segment {
        var id: UInt64
        var size: Int
        var events: Int
    }

    struct Result {
        var segments: [Segment] = []
        /// Where reading starts in `segments[0]`, and how many of its events precede it.
        var readOffset = SegmentFormat.headerSize
        var readSkip = 0
        var eventsBeforeRead = 0
        var nextSegmentID: UInt64 = 1
        var report = SpoolRecoveryReport()
    }

    let fileSystem: any SpoolFileSystem
    let directory: String

    func run() throws -> Result {
        var result = Result()
        let names = try fileSystem.contents(ofDirectory: directory)
        for name in names where name.hasSuffix(".tmp") { try? fileSystem.remove(path(name)) }
        let ids = names.compactMap(SegmentFormat.id(fromFileName:)).sorted()
        let positionBytes =
            names.contains(SegmentFormat.readPositionName)
            ? try? fileSystem.readAll(path(SegmentFormat.readPositionName)) : nil
        let position = positionBytes.flatMap(ReadPosition.init(decoding:))
        result.report.readPositionIgnored = positionBytes != nil && position == nil
        result.nextSegmentID = max((ids.last ?? 0) + 1, (position?.segmentID ?? 0) + 1)

        var positionApplied = false
        for id in ids {
            let name = SegmentFormat.fileName(for: id)
            if let position, id < position.segmentID {
                try? fileSystem.remove(path(name))
                result.report.removedAcknowledgedSegments += 1
                continue
            }
            guard let (scan, rewritten) = repair(name, report: &result.report), !scan.blocks.isEmpty else { continue }
            if result.segments.isEmpty, let position, position.segmentID == id, !rewritten {
                positionApplied = apply(position, to: scan, result: &result)
            }
            result.segments.append(
                Segment(
                    id: id,
                    size: rewritten
                        ? SegmentFormat.headerSize
                            + scan.blocks.reduce(0) {
                                $0 + Int($1.header.length)
                            } : scan.validEnd, events: scan.eventCount))
        }
        if let position, !positionApplied, result.segments.first?.id == position.segmentID {
            result.report.readPositionIgnored = true
        }
        result.report.segments = result.segments.count
        result.report.bytes = result.segments.reduce(0) { $0 + $1.size }
        result.report.events = result.segments.reduce(0) { $0 + $1.events } - result.eventsBeforeRead - result.readSkip
        try? fileSystem.syncDirectory(directory)
        return result
    }

    private func path(_ name: String) -> String { directory + "/" + name }

    /// Scans one segment and repairs it in place. Returns nil when the segment was unreadable
    /// and moved aside, and whether it was rewritten (its offsets changed).
    private func repair(_ name: String, report: inout SpoolRecoveryReport) -> (SegmentScan, Bool)? {
        let bytes: [UInt8]
        do { bytes = try fileSystem.readAll(path(name)) } catch {
            report.unreadableSegments += 1
            if (try? fileSystem.rename(path(name), to: path(name + SegmentFormat.corruptSuffix))) != nil {
                report.quarantinedFiles.append(name + SegmentFormat.corruptSuffix)
            }
            return nil
        }
        let scan = bytes.withUnsafeBytes { SegmentScan($0) }
        if scan.blocks.isEmpty && !scan.isCorrupt {
            report.truncatedBytes += scan.tornTail?.count ?? 0
            try? fileSystem.remove(path(name))
            return (scan, false)
        }
        if scan.isCorrupt {
            report.corruptSegments += 1
            report.corruptBytes += scan.corruptByteCount
            report.truncatedBytes += scan.tornTail?.count ?? 0
            return quarantine(name, keeping: scan, of: bytes, report: &report) ? (scan, true) : nil
        }
        if let tail = scan.tornTail {
            report.truncatedBytes += tail.count
            if let file = try? fileSystem.open(path(name), writable: true) {
                try? file.truncate(to: scan.validEnd)
                try? file.sync()
            }
        }
        return (scan, false)
    }

    /// Keeps a copy of a corrupt segment as `<name>.corrupt` and replaces the segment with its
    /// intact blocks; at every instant `<name>` holds either the old or the new content. Returns
    /// false when the segment is gone instead (no intact block, or no space for the rewrite).
    private func quarantine(
        _ name: String, keeping scan: SegmentScan, of bytes: [UInt8], report: inout SpoolRecoveryReport
    ) -> Bool {
        let corruptName = name + SegmentFormat.corruptSuffix
        let linked = (try? fileSystem.link(path(name), to: path(corruptName))) != nil
        report.quarantinedFiles.append(corruptName)
        if let id = SegmentFormat.id(fromFileName: name), !scan.blocks.isEmpty {
            var salvaged = SegmentFormat.header(for: id)
            for block in scan.blocks { salvaged += bytes[block.offset..<block.end] }
            if (try? fileSystem.replaceAtomically(path(name), with: salvaged, directory: directory, sync: true)) != nil
            {
                return true
            }
            try? fileSystem.remove(path(name) + ".tmp")
        }
        if linked {
            try? fileSystem.remove(path(name))
        } else {
            try? fileSystem.rename(path(name), to: path(corruptName))
        }
        return false
    }

    /// Positions reading inside the oldest segment when the read position names one of its
    /// blocks, or its end.
    private func apply(_ position: ReadPosition, to scan: SegmentScan, result: inout Result) -> Bool {
        var before = 0
        for block in scan.blocks {
            if block.offset == position.blockOffset {
                result.readOffset = block.offset
                result.readSkip = min(position.eventsConsumed, Int(block.header.eventCount))
                result.eventsBeforeRead = before
                return true
            }
            before += Int(block.header.eventCount)
        }
        // Everything in the segment was read (the reader had caught up with the writer): the
        // position is the end of its last block.
        if position.blockOffset == scan.validEnd {
            result.readOffset = scan.validEnd
            result.readSkip = 0
            result.eventsBeforeRead = before
            return true
        }
        return false
    }
}
