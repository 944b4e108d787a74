/// The reading half: `peek`, `acknowledge`, and deletion of fully acknowledged segments.
extension SpoolQueue {
    /// Up to `maxEvents` of the oldest unacknowledged events, oldest first, without removing
    /// them: the same events come back until `acknowledge` removes them. When everything on disk
    /// has been read it writes out the open block (no fsync), so a reader never waits for a flush.
    public func peek(maxEvents: Int) -> [[UInt8]] {
        lock.withLock {
            var available = decoded.reduce(0) { $0 + $1.events.count } - readSkip
            while available < maxEvents, let block = loadNextBlock() {
                decoded.append(block)
                available += block.events.count
            }
            var result: [[UInt8]] = []
            result.reserveCapacity(min(maxEvents, max(available, 0)))
            var skip = readSkip
            for block in decoded {
                for event in block.events.dropFirst(skip) {
                    guard result.count < maxEvents else { return result }
                    result.append(event)
                }
                skip = 0
            }
            return result
        }
    }

    /// Removes the `count` oldest events; only events returned by an earlier `peek` can be
    /// acknowledged, so `count` is capped at those. Segments whose events are all acknowledged
    /// are deleted. The new read position is written at once (a rename; with fsync when `fsync`
    /// is `.always`, else the next `flush()` makes it durable): a kill -9 right after this call
    /// never makes these events come back. Returns how many events were acknowledged.
    @discardableResult
    public func acknowledge(_ count: Int) -> Int {
        let acknowledged = lock.withLock { () -> Int in
            var remaining = max(0, min(count, decoded.reduce(0) { $0 + $1.events.count } - readSkip))
            let total = remaining
            while remaining > 0 {
                let block = decoded[0]
                let left = block.events.count - readSkip
                if remaining < left {
                    advanceRead(segmentID: block.segmentID, offset: block.offset, skip: readSkip + remaining,
                        eventsBefore: block.eventsBefore)
                    remaining = 0
                } else {
                    decoded.removeFirst()
                    remaining -= left
                    advanceRead(segmentID: block.segmentID, offset: block.end, skip: 0,
                        eventsBefore: block.eventsBefore + block.events.count)
                }
            }
            events -= total
            retireReadSegments()
            if total > 0 { positionDirty = true }
            return total
        }
        if acknowledged > 0 { storeCurrentReadPosition(sync: configuration.fsync == .always) }
        return acknowledged
    }

    /// Writes the read position if it moved since it was last stored with fsync. With `sync` it
    /// is then durable (`positionDirty` cleared); without, it survives a killed process but not a
    /// power loss, and stays dirty for the next `flush()`.
    func storeCurrentReadPosition(sync: Bool) {
        positionLock.withLock {
            let position = lock.withLock { () -> ReadPosition? in
                guard positionDirty else { return nil }
                // With `fsync: never` nothing is ever more durable than a plain write.
                if sync || configuration.fsync == .never { positionDirty = false }
                return currentReadPosition()
            }
            guard let position else { return }
            do { try storeReadPosition(position, sync: sync) } catch {
                lock.withLock {
                    self.count(error)
                    positionDirty = true
                }
            }
        }
    }

    /// Moves the read position, deleting every segment before `segmentID` (all read).
    private func advanceRead(segmentID: UInt64, offset: Int, skip: Int, eventsBefore: Int) {
        while let first = segments.first, first.id < segmentID { deleteFirstSegment() }
        readOffset = offset
        readSkip = skip
        eventsBeforeRead = eventsBefore
    }

    /// Deletes the oldest segment while it is fully acknowledged. The active segment goes too
    /// once it is a quarter full or the queue is near its bound; the next block opens a new one.
    private func retireReadSegments() {
        while let first = segments.first, readSkip == 0, readOffset >= first.readableEnd {
            let active = writer != nil && segments.count == 1
            let pressed = bytes + 2 * configuration.blockBytes > configuration.maxBytes
                || !(budget?.admits(2 * configuration.blockBytes) ?? true)
            guard !active || first.size >= configuration.segmentBytes / 4 || pressed else { return }
            deleteFirstSegment()
        }
    }

    private func deleteFirstSegment() {
        let segment = segments.removeFirst()
        if readerFile?.id == segment.id { readerFile = nil }
        if segments.isEmpty {
            writer = nil
            writerDirty = false
        }
        do { try fileSystem.remove(path(of: segment.id)) } catch { count(error) }
        bytes -= segment.size
        outOfSpace = false
        directoryDirty = true
        positionDirty = true
        readOffset = SegmentFormat.headerSize
        readSkip = 0
        eventsBeforeRead = 0
    }

    /// The next block after the cached ones, decoded; nil at the end of the queue.
    private func loadNextBlock() -> DecodedBlock? {
        guard let first = segments.first ?? (openBlock.isEmpty || !writeOut() ? nil : segments.first) else { return nil }
        var cursor = decoded.last.map { (id: $0.segmentID, offset: $0.end, eventsBefore: $0.eventsBefore + $0.events.count) }
            ?? (id: first.id, offset: readOffset, eventsBefore: eventsBeforeRead)
        while let index = segments.firstIndex(where: { $0.id == cursor.id }) {
            let segment = segments[index]
            if cursor.offset >= segment.readableEnd {
                if index + 1 < segments.count {
                    cursor = (segments[index + 1].id, SegmentFormat.headerSize, 0)
                } else if openBlock.isEmpty || !writeOut() {
                    return nil
                }
                continue
            }
            do {
                return try readBlock(of: segment, at: cursor.offset, eventsBefore: cursor.eventsBefore)
            } catch SpoolError.io(let operation, let path, let number) {
                count(SpoolError.io(operation: operation, path: path, errno: number))
                return nil
            } catch {
                skipUnreadable(segmentAt: index, from: cursor.offset, eventsBefore: cursor.eventsBefore)
            }
        }
        return nil
    }

    private func readBlock(of segment: Segment, at offset: Int, eventsBefore: Int) throws -> DecodedBlock {
        let file = try readerFile.flatMap { $0.id == segment.id ? $0.file : nil }
            ?? fileSystem.open(path(of: segment.id), writable: false)
        readerFile = (segment.id, file)
        let head = try file.read(at: offset, count: BlockHeader.size)
        guard let header = head.withUnsafeBytes({ BlockHeader($0, at: 0) }), header.isPlausible,
            offset + Int(header.length) <= segment.readableEnd
        else { throw SpoolError.corruptBlock(path: file.path, offset: offset, reason: "bad header") }
        let block = try file.read(at: offset, count: Int(header.length))
        let events = try block.withUnsafeBytes { raw in
            guard header.verifies(in: raw, at: 0) else {
                throw SpoolError.corruptBlock(path: file.path, offset: offset, reason: "checksum mismatch")
            }
            return try OpenBlock.decodeEvents(of: header, in: raw, at: 0, codec: codec)
        }
        return DecodedBlock(segmentID: segment.id, offset: offset, end: offset + Int(header.length),
            eventsBefore: eventsBefore, firstEventTime: header.firstEventTime, events: events)
    }

    /// A block that fails its checksum or does not decode although recovery checked it (the disk
    /// changed it since): give up the rest of its segment and count it. I/O errors do not come
    /// here; the next `peek` retries them.
    private func skipUnreadable(segmentAt index: Int, from offset: Int, eventsBefore: Int) {
        let lost = max(0, segments[index].events - eventsBefore)
        counters.corruptBlocks += 1
        counters.lostEvents += lost
        events -= lost
        segments[index].readableEnd = offset
        segments[index].events = eventsBefore
        if index == segments.count - 1 && writer != nil { sealActiveSegment() }
    }

    /// Append time of the oldest unacknowledged block's first event.
    func oldestEventTimeLocked() -> Int64? {
        if let block = decoded.first { return block.firstEventTime }
        for (index, segment) in segments.enumerated() {
            let offset = index == 0 ? readOffset : SegmentFormat.headerSize
            guard offset < segment.readableEnd else { continue }
            let head = try? fileSystem.open(path(of: segment.id), writable: false).read(at: offset, count: BlockHeader.size)
            return head.flatMap { $0.withUnsafeBytes { BlockHeader($0, at: 0)?.firstEventTime } }
        }
        return openBlock.isEmpty ? nil : openBlock.firstEventTime
    }
}
