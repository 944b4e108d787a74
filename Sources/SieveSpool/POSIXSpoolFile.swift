#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file descriptor closed when the last reference goes away, so a flush can fsync a segment
/// outside the queue's lock even if the writer moves to a new segment meanwhile.
final class POSIXSpoolFile: SpoolFile {
    let path: String
    let descriptor: Int32

    init(path: String, flags: Int32) throws {
        let descriptor = systemOpen(path, flags)
        guard descriptor >= 0 else { throw SpoolError.io(operation: "open", path: path, errno: errno) }
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw SpoolError.io(operation: "write", path: path, errno: errno)
            }
            offset += written
        }
    }

    func read(at offset: Int, count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        try buffer.withUnsafeMutableBytes { raw in
            while filled < count {
                let got = pread(descriptor, raw.baseAddress! + filled, count - filled, off_t(offset + filled))
                if got < 0 {
                    if errno == EINTR { continue }
                    throw SpoolError.io(operation: "pread", path: path, errno: errno)
                }
                if got == 0 { break }
                filled += got
            }
        }
        buffer.removeLast(count - filled)
        return buffer
    }

    func size() throws -> Int {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw SpoolError.io(operation: "fstat", path: path, errno: errno) }
        return Int(info.st_size)
    }

    func truncate(to length: Int) throws {
        guard ftruncate(descriptor, off_t(length)) == 0 else {
            throw SpoolError.io(operation: "ftruncate", path: path, errno: errno)
        }
    }

    func sync() throws {
        guard fsync(descriptor) == 0 else { throw SpoolError.io(operation: "fsync", path: path, errno: errno) }
    }
}

private func systemOpen(_ path: String, _ flags: Int32) -> Int32 { open(path, flags, 0o640) }
