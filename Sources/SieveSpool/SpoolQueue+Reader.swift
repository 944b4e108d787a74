/// The reading half: `peek`, `acknowledge`, and deletion of fully acknowledged segments.
extension SpoolQueue {
    /// Up to `maxEvents` of the oldest unacknowledged events, oldest first, without removing
    /// them: the same events come back until `acknowledge` removes them. When everything on disk
    /// has been read it writes out the open block (no fsync), so a reader never waits for a flush.
    /// When the open block cannot be written (the disk is full), its events are handed out from
    /// memory: a full disk never stops a reader from reaching what was appended last.
    public func peek(maxEvents: Int) -> [[UInt8]] {
        lock.withLock {
            var available = decoded.reduce(0) { $0 + $1.events.count } - readSkip
            var reachedEnd = false
            while available < maxEvents {
                switch loadNextBlock() {
                case .block(let block):
                    decoded.append(block)
                    available += block.events.count
                    continue
                case .end: reachedEnd = true
                case .unavailable: break
                }
                break
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
            if reachedEnd, result.count < maxEvents, !openBlock.isEmpty {
                let served = openBlock.events(limit: maxEvents - result.count)
                memoryServed = max(memoryServed, served.count)
                result.append(contentsOf: served)
            }
            return result
        }
    }

    /// Removes the `count` oldest events; only events returned by an earlier `peek` can be
    /// acknowledged, so `count` is capped at those. Segments whose events are all acknowledged
    /// are deleted. The new read position is written at once (a rename; with fsync when `fsync`
    /// is `.always`, else the next `flush()` makes it durable): a kill -9 right after this call
    /// never makes these events come back. Events `peek` handed out from the unwritten open
    /// block leave it without touching the disk. Returns how many events were acknowledged.
    @discardableResult
    public func acknowledge(_ count: Int) -> Int {
        let (acknowledged, movedOnDisk) = lock.withLock { () -> (Int, Bool) in
            let onDisk = decoded.reduce(0) { $0 + $1.events.count } - readSkip
            let total = max(0, min(count, onDisk + memoryServed))
            var remaining = min(total, onDisk)
            let fromDisk = remaining
            while remaining > 0 {
                let block = decoded[0]
                let left = block.events.count - readSkip
                if remaining < left {
                    advanceRead(
                        segmentID: block.segmentID, offset: block.offset, skip: readSkip + remaining,
                        eventsBefore: block.eventsBefore)
                    remaining = 0
                } else {
                    decoded.removeFirst()
                    remaining -= left
                    advanceRead(
                        segmentID: block.segmentID, offset: block.end, skip: 0,
                        eventsBefore: block.eventsBefore + block.events.count)
                }
            }
            let fromMemory = total - fromDisk
            if fromMemory > 0 {
                openBlock.removeFirst(fromMemory)
                memoryServed -= fromMemory
                shrinkBudgetReservation()
            }
            events -= total
            retireReadSegments()
            if fromDisk > 0 { positionDirty = true }
            return (total, fromDisk > 0)
        }
        if movedOnDisk { storeCurrentReadPosition(sync: configuration.fsync == .always) }
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
    /// once it is a quarter full, or the queue is near its bound, or the disk is full (the space
    /// it frees is what lets the open block and later events be written); the next block opens a
    /// new segment.
    func retireReadSegments() {
        while let first = segments.first, readSkip == 0, readOffset >= first.readableEnd {
            let active = writer != nil && segments.count == 1
            let pressed =
                outOfSpace || bytes + 2 * configuration.blockBytes > configuration.maxBytes
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

    /// What `loadNextBlock` found after the cached blocks.
    enum NextBlock {
        case block(DecodedBlock)
        /// Everything on disk is cached; the open block, if any, could not be written out.
        case end
        /// A read failed (an I/O error); the next `peek` tries again.
        case unavailable
    }

    /// The next block after the cached ones, decoded. At the end of the disk the open block is
    /// written out and read, unless the disk was found full (then `flush()` or a deleted segment
    /// makes the next attempt).
    private func loadNextBlock() -> NextBlock {
        guard let first = segments.first ?? (writeOutForReader() ? segments.first : nil) else { return .end }
        var cursor =
            decoded.last.map { (id: $0.segmentID, offset: $0.end, eventsBefore: $0.eventsBefore + $0.events.count) }
            ?? (id: first.id, offset: readOffset, eventsBefore: eventsBeforeRead)
        while let index = segments.firstIndex(where: { $0.id == cursor.id }) {
            let segment = segments[index]
            if cursor.offset >= segment.readableEnd {
                if index + 1 < segments.count {
                    cursor = (segments[index + 1].id, SegmentFormat.headerSize, 0)
                    continue
                }
                guard writeOutForReader() else { return .end }
                // The write-out may have cached the block itself (events a reader took from
                // memory): start again from the cache, or the block would be read twice.
                return loadNextBlock()
            }
            do {
                return .block(try readBlock(of: segment, at: cursor.offset, eventsBefore: cursor.eventsBefore))
            } catch SpoolError.io(let operation, let path, let number) {
                count(SpoolError.io(operation: operation, path: path, errno: number))
                return .unavailable
            } catch {
                skipUnreadable(segmentAt: index, from: cursor.offset, eventsBefore: cursor.eventsBefore)
            }
        }
        return .end
    }

    /// Writes out a non-empty open block for the reader; false when there is none, or the disk
    /// is known full, or the write failed.
    private func writeOutForReader() -> Bool {
        !openBlock.isEmpty && !outOfSpace && writeOut()
    }

    private func readBlock(of segment: Segment, at offset: Int, eventsBefore: Int) throws -> DecodedBlock {
        let file =
            try readerFile.flatMap { $0.id == segment.id ? $0.file : nil }
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
        return DecodedBlock(
            segmentID: segment.id, offset: offset, end: offset + Int(header.length),
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
            let head = try? fileSystem.open(path(of: segment.id), writable: false).read(
                at: offset, count: BlockHeader.size)
            return head.flatMap { $0.withUnsafeBytes { BlockHeader($0, at: 0)?.firstEventTime } }
        }
        return openBlock.isEmpty ? nil : openBlock.firstEventTime
    }
}
