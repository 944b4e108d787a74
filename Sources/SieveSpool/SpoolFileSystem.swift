/// An open spool file. Implementations report failures as `SpoolError.io` carrying the errno, so
/// the queue can tell a full disk (`isOutOfSpace`) from other failures.
public protocol SpoolFile: AnyObject, Sendable {
    var path: String { get }
    /// Writes all of `bytes` at the end of the file. After a failure the file may end with a
    /// prefix of `bytes`; the caller truncates it away.
    func append(_ bytes: UnsafeRawBufferPointer) throws
    /// Up to `count` bytes from `offset`; fewer only at the end of the file.
    func read(at offset: Int, count: Int) throws -> [UInt8]
    func size() throws -> Int
    func truncate(to length: Int) throws
    func sync() throws
}

/// The file operations the spool needs, so tests can inject failures (a disk that fills after N
/// bytes) without root or a tmpfs. `POSIXSpoolFileSystem` is the production implementation.
public protocol SpoolFileSystem: Sendable {
    /// Creates `path` and its missing parents; succeeds when it already exists.
    func makeDirectory(_ path: String) throws
    /// Entry names in `path`, without `.` and `..`, in no particular order.
    func contents(ofDirectory path: String) throws -> [String]
    func isDirectory(_ path: String) -> Bool
    /// Opens `path` for appending, creating it; `exclusive` fails when it exists, otherwise an
    /// existing file is truncated to zero.
    func create(_ path: String, exclusive: Bool) throws -> any SpoolFile
    /// Opens an existing file; `writable` allows `append` and `truncate`.
    func open(_ path: String, writable: Bool) throws -> any SpoolFile
    func rename(_ source: String, to destination: String) throws
    /// A second name for `source` (used to keep a quarantined copy); fails when `destination` exists.
    func link(_ source: String, to destination: String) throws
    func remove(_ path: String) throws
    /// fsync of the directory itself, so creations, renames and unlinks in it survive a crash.
    func syncDirectory(_ path: String) throws
    /// Takes an exclusive advisory lock on `path` (created if missing) for the life of the
    /// returned object; throws `SpoolError.locked` when another process holds it.
    func lockExclusively(_ path: String) throws -> any SpoolFile
}

extension SpoolFileSystem {
    /// Replaces `path` with `bytes` atomically: write a temporary file, fsync it when `sync`,
    /// rename it over `path`, then fsync the directory when `sync`. A crash leaves either the old
    /// or the new content, never a mix.
    func replaceAtomically(_ path: String, with bytes: [UInt8], directory: String, sync: Bool) throws {
        let temporary = path + ".tmp"
        let file = try create(temporary, exclusive: false)
        try bytes.withUnsafeBytes { try file.append($0) }
        if sync { try file.sync() }
        try rename(temporary, to: path)
        if sync { try syncDirectory(directory) }
    }

    /// The whole content of `path`.
    func readAll(_ path: String) throws -> [UInt8] {
        let file = try open(path, writable: false)
        return try file.read(at: 0, count: try file.size())
    }
}
