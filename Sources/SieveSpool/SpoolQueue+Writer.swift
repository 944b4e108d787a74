/// The writing half: appends, block write-out, segment creation, `flush()` and `close()`.
extension SpoolQueue {
    /// Adds one event. `.written` means it is queued (in the open block, on disk by the next
    /// `flush()`; durable on return with `fsync: .always`). Never throws and never blocks on
    /// fsync unless `fsync` is `.always`.
    public func append(_ event: some Collection<UInt8>) -> AppendResult {
        append(event, commit: true)
    }

    /// `commit: false` leaves an event in the open block even with `fsync: .always`, until
    /// `commit()`: a producer moving a batch commits once at its end (one block, one fsync,
    /// instead of one of each per event).
    public func append(_ event: some Collection<UInt8>, commit: Bool) -> AppendResult {
        lock.withLock {
            let framed = BlockHeader.eventFraming + event.count
            let overhead = BlockHeader.size + SegmentFormat.headerSize
            guard event.count <= SpoolQueue.maximumEventBytes,
                framed + overhead <= min(configuration.maxBytes, budget?.maxBytes ?? .max)
            else {
                counters.oversizeRejections += 1
                return .tooLarge
            }
            let blockFull = !openBlock.isEmpty && openBlock.payload.count + framed > configuration.blockBytes
            if closed || (blockFull && (outOfSpace || !writeOut())) {
                counters.fullRejections += 1
                return .full
            }
            let reserved = openBlock.isEmpty ? overhead : openBlock.reservedBytes + SegmentFormat.headerSize
            guard bytes + reserved + framed <= configuration.maxBytes,
                budget?.reserve(from: budgetReservation, to: reserved + framed) ?? true
            else {
                counters.fullRejections += 1
                return .full
            }
            if budget != nil { budgetReservation = reserved + framed }
            openBlock.append(event, time: clock())
            events += 1
            guard configuration.fsync == .always, commit else { return .written }
            guard writeOut() else {
                // Only this event is taken back: others may wait in the block for a later write.
                openBlock.removeLast()
                shrinkBudgetReservation()
                events -= 1
                counters.fullRejections += 1
                return .full
            }
            syncNow()
            return .written
        }
    }

    /// Writes out the open block, so what was appended with `commit: false` is in the file (a
    /// kill -9 of the process no longer loses it); with `fsync: .always` also fsyncs everything
    /// written since, so it is durable on return (otherwise the flush timer fsyncs). If the write
    /// fails the events stay in the open block (and are counted).
    public func commit() {
        lock.withLock {
            if !openBlock.isEmpty { guard writeOut() else { return } }
            guard configuration.fsync == .always else { return }
            for file in filesToSync {
                do { try file.sync() } catch { count(error) }
            }
            filesToSync = []
            if writerDirty || directoryDirty { syncNow() }
        }
    }

    /// Writes out the open block, fsyncs what was written since the last flush (unless `fsync`
    /// is `.never`) and stores the read position. The owner calls it every
    /// `fsyncIntervalMilliseconds`, from a thread that may block (see `SpoolFlushTimer`); the
    /// queue's lock is not held during the fsyncs, so appends and reads go on meanwhile.
    public func flush() {
        flushLock.withLock {
            let (files, syncDirectory) = lock.withLock {
                outOfSpace = false
                if !openBlock.isEmpty { _ = writeOut() }
                var files = filesToSync
                filesToSync = []
                if writerDirty, let writer { files.append(writer) }
                writerDirty = false
                defer { directoryDirty = false }
                return (files, directoryDirty)
            }
            let sync = configuration.fsync != .never
            if sync {
                do {
                    for file in files { try file.sync() }
                    if syncDirectory { try fileSystem.syncDirectory(configuration.directory) }
                } catch {
                    lock.withLock { count(error) }
                }
            }
            // Read last, so the newest position is stored (an older one only means duplicates).
            storeCurrentReadPosition(sync: sync)
        }
    }

    /// Flushes, then refuses further appends and releases the directory lock. Events that are
    /// still in the open block because the disk stayed full are counted in `lostEvents`.
    public func close() {
        lock.withLock { closed = true }
        flush()
        lock.withLock {
            counters.lostEvents += openBlock.eventCount
            events -= openBlock.eventCount
            openBlock.reset()
            memoryServed = 0
            releaseBudgetReservation()
            writer = nil
            readerFile = nil
            lockFile = nil
        }
    }

    /// Writes the open block, counting a failure; true when the block is on disk (in the page cache).
    /// On a full disk, a fully read segment still kept as the active one is deleted and the write
    /// tried once more: space the reader has freed is always usable again.
    func writeOut() -> Bool {
        if attemptWriteOut() { return true }
        guard outOfSpace, let first = segments.first, readSkip == 0, readOffset >= first.readableEnd else {
            return false
        }
        retireReadSegments()
        return attemptWriteOut()
    }

    private func attemptWriteOut() -> Bool {
        do {
            try writeOpenBlock()
            return true
        } catch {
            count(error)
            if let error = error as? SpoolError, error.isOutOfSpace { outOfSpace = true }
            return false
        }
    }

    /// Compresses the open block and appends it to the active segment, opening a new segment
    /// when the block would take the active one past `segmentBytes`. On failure the segment is
    /// cut back to its previous length and the block stays open.
    func writeOpenBlock() throws {
        let block = try openBlock.encode(with: codec)
        if writer != nil, let last = segments.last, last.size > SegmentFormat.headerSize,
            last.size + block.count > configuration.segmentBytes
        {
            sealActiveSegment()
        }
        if writer == nil { try openSegment() }
        guard let file = writer else { return }
        let index = segments.count - 1
        do {
            try block.withUnsafeBytes { try file.append($0) }
        } catch {
            try? file.truncate(to: segments[index].size)
            throw error
        }
        if memoryServed > 0 {
            // A reader holds events of this block that it took from memory: everything on disk
            // before it is cached already, so caching this block too keeps its reads and
            // acknowledgements in place.
            decoded.append(
                DecodedBlock(
                    segmentID: segments[index].id, offset: segments[index].size,
                    end: segments[index].size + block.count,
                    eventsBefore: segments[index].events, firstEventTime: openBlock.firstEventTime,
                    events: openBlock.events()))
            memoryServed = 0
        }
        segments[index].size += block.count
        segments[index].readableEnd = segments[index].size
        segments[index].events += openBlock.eventCount
        bytes += block.count
        writerDirty = true
        openBlock.reset()
        releaseBudgetReservation()
    }

    /// After events left the open block without a write: its reservation follows its size.
    func shrinkBudgetReservation() {
        guard !openBlock.isEmpty else {
            releaseBudgetReservation()
            return
        }
        let reserved = openBlock.reservedBytes + SegmentFormat.headerSize
        guard budget != nil, reserved < budgetReservation else { return }
        if budget?.reserve(from: budgetReservation, to: reserved) == true { budgetReservation = reserved }
    }

    /// The open block is gone (written out, or dropped): its budget reservation with it.
    func releaseBudgetReservation() {
        guard budgetReservation > 0 else { return }
        budget?.release(budgetReservation)
        budgetReservation = 0
    }

    /// Stops writing to the active segment; its pending fsync moves to the next `flush()`.
    func sealActiveSegment() {
        if writerDirty, let writer { filesToSync.append(writer) }
        writer = nil
        writerDirty = false
    }

    private func openSegment() throws {
        let id = nextSegmentID
        let file = try fileSystem.create(path(of: id), exclusive: true)
        do {
            try SegmentFormat.header(for: id).withUnsafeBytes { try file.append($0) }
        } catch {
            try? fileSystem.remove(path(of: id))
            throw error
        }
        nextSegmentID += 1
        if segments.isEmpty {
            readOffset = SegmentFormat.headerSize
            readSkip = 0
            eventsBeforeRead = 0
        }
        segments.append(
            Segment(id: id, size: SegmentFormat.headerSize, events: 0, readableEnd: SegmentFormat.headerSize))
        writer = file
        bytes += SegmentFormat.headerSize
        directoryDirty = true
    }

    /// `fsync: .always`: makes the write just done durable before `append` returns.
    private func syncNow() {
        do {
            try writer?.sync()
            writerDirty = false
            if directoryDirty {
                try fileSystem.syncDirectory(configuration.directory)
                directoryDirty = false
            }
        } catch {
            count(error)
        }
    }

    func currentReadPosition() -> ReadPosition {
        guard let first = segments.first else {
            return ReadPosition(segmentID: nextSegmentID, blockOffset: SegmentFormat.headerSize, eventsConsumed: 0)
        }
        return ReadPosition(segmentID: first.id, blockOffset: readOffset, eventsConsumed: readSkip)
    }

    func storeReadPosition(_ position: ReadPosition, sync: Bool) throws {
        let path = configuration.directory + "/" + SegmentFormat.readPositionName
        try fileSystem.replaceAtomically(path, with: position.encoded(), directory: configuration.directory, sync: sync)
    }
}
