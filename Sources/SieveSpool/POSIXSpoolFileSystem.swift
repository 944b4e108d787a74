#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The production file system: plain POSIX calls, retried on EINTR. Writes go straight to the
/// kernel (no user-space buffer beyond the queue's open block), and `sync` is `fsync(2)`.
public struct POSIXSpoolFileSystem: SpoolFileSystem {
    public init() {}

    public func makeDirectory(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component + "/"
            if mkdir(prefix, 0o750) != 0 && errno != EEXIST {
                throw SpoolError.io(operation: "mkdir", path: prefix, errno: errno)
            }
        }
    }

    public func contents(ofDirectory path: String) throws -> [String] {
        guard let directory = opendir(path) else { throw SpoolError.io(operation: "opendir", path: path, errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    public func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Files of the spool are never opened through a symbolic link (O_NOFOLLOW): whoever can
    /// write the queue directory must not redirect segments, the lock or the read position.
    public func create(_ path: String, exclusive: Bool) throws -> any SpoolFile {
        let flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (exclusive ? O_EXCL : O_TRUNC)
        return try POSIXSpoolFile(path: path, flags: flags)
    }

    public func open(_ path: String, writable: Bool) throws -> any SpoolFile {
        try POSIXSpoolFile(path: path, flags: (writable ? O_RDWR | O_APPEND : O_RDONLY) | O_CLOEXEC | O_NOFOLLOW)
    }

    public func rename(_ source: String, to destination: String) throws {
        if systemRename(source, destination) != 0 {
            throw SpoolError.io(operation: "rename", path: source, errno: errno)
        }
    }

    public func link(_ source: String, to destination: String) throws {
        if systemLink(source, destination) != 0 {
            throw SpoolError.io(operation: "link", path: destination, errno: errno)
        }
    }

    public func remove(_ path: String) throws {
        if unlink(path) != 0 { throw SpoolError.io(operation: "unlink", path: path, errno: errno) }
    }

    public func syncDirectory(_ path: String) throws {
        let file = try POSIXSpoolFile(path: path, flags: O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        try file.sync()
    }

    public func lockExclusively(_ path: String) throws -> any SpoolFile {
        let file = try POSIXSpoolFile(path: path, flags: O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW)
        if flock(file.descriptor, LOCK_EX | LOCK_NB) != 0 {
            throw errno == EWOULDBLOCK
                ? SpoolError.locked(path: path) : SpoolError.io(operation: "flock", path: path, errno: errno)
        }
        return file
    }
}

private func systemRename(_ source: String, _ destination: String) -> Int32 { rename(source, destination) }
private func systemLink(_ source: String, _ destination: String) -> Int32 { link(source, destination) }
