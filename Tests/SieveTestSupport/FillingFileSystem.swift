import Foundation
import SieveSpool

/// The production file system with a disk that holds only `budget` more bytes: a write past it
/// stores what fits and then fails with `failure` (ENOSPC by default), like a full filesystem.
/// Deleting a file, truncating it, or renaming over one gives its bytes back, as on a real disk.
public final class FillingFileSystem: SpoolFileSystem, @unchecked Sendable {
    private let base = POSIXSpoolFileSystem()
    private let lock = NSLock()
    private var remaining: Int
    public let failure: Int32

    public init(budget: Int, failure: Int32 = ENOSPC) {
        remaining = budget
        self.failure = failure
    }

    /// Frees `bytes` more bytes of space.
    public func grow(by bytes: Int) { lock.withLock { remaining += bytes } }

    /// Bytes that can still be written.
    public var free: Int { lock.withLock { remaining } }

    /// Takes up to `count` bytes of space; returns how many were granted.
    func take(_ count: Int) -> Int {
        lock.withLock {
            let granted = min(count, remaining)
            remaining -= granted
            return granted
        }
    }

    public func makeDirectory(_ path: String) throws { try base.makeDirectory(path) }
    public func contents(ofDirectory path: String) throws -> [String] { try base.contents(ofDirectory: path) }
    public func isDirectory(_ path: String) -> Bool { base.isDirectory(path) }
    public func create(_ path: String, exclusive: Bool) throws -> any SpoolFile {
        let before = exclusive ? 0 : Self.size(of: path)
        let file = FillingFile(try base.create(path, exclusive: exclusive), fileSystem: self)
        grow(by: before)
        return file
    }
    public func open(_ path: String, writable: Bool) throws -> any SpoolFile {
        FillingFile(try base.open(path, writable: writable), fileSystem: self)
    }
    public func rename(_ source: String, to destination: String) throws {
        let replaced = Self.size(of: destination)
        try base.rename(source, to: destination)
        grow(by: replaced)
    }
    public func link(_ source: String, to destination: String) throws { try base.link(source, to: destination) }
    public func remove(_ path: String) throws {
        let size = Self.size(of: path, lastLinkOnly: true)
        try base.remove(path)
        grow(by: size)
    }
    public func syncDirectory(_ path: String) throws { try base.syncDirectory(path) }
    public func lockExclusively(_ path: String) throws -> any SpoolFile { try base.lockExclusively(path) }

    /// The file's size; with `lastLinkOnly`, 0 when another name keeps its bytes on disk.
    private static func size(of path: String, lastLinkOnly: Bool = false) -> Int {
        var info = stat()
        guard stat(path, &info) == 0, !lastLinkOnly || info.st_nlink <= 1 else { return 0 }
        return Int(info.st_size)
    }
}

private final class FillingFile: SpoolFile, @unchecked Sendable {
    let file: any SpoolFile
    let fileSystem: FillingFileSystem
    var path: String { file.path }

    init(_ file: any SpoolFile, fileSystem: FillingFileSystem) {
        self.file = file
        self.fileSystem = fileSystem
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        let granted = fileSystem.take(bytes.count)
        try file.append(UnsafeRawBufferPointer(rebasing: bytes[0..<granted]))
        if granted < bytes.count { throw SpoolError.io(operation: "write", path: path, errno: fileSystem.failure) }
    }
    func read(at offset: Int, count: Int) throws -> [UInt8] { try file.read(at: offset, count: count) }
    func size() throws -> Int { try file.size() }
    func truncate(to length: Int) throws {
        let before = try file.size()
        try file.truncate(to: length)
        if before > length { fileSystem.grow(by: before - length) }
    }
    func sync() throws { try file.sync() }
}
