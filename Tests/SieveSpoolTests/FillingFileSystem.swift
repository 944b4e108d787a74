import Foundation
@testable import SieveSpool

/// The production file system with a disk that holds only `budget` more bytes: a write past it
/// stores what fits and then fails with `failure` (ENOSPC by default), like a full filesystem.
final class FillingFileSystem: SpoolFileSystem, @unchecked Sendable {
    private let base = POSIXSpoolFileSystem()
    private let lock = NSLock()
    private var remaining: Int
    let failure: Int32

    init(budget: Int, failure: Int32 = ENOSPC) {
        remaining = budget
        self.failure = failure
    }

    /// Frees `bytes` more bytes of space.
    func grow(by bytes: Int) { lock.withLock { remaining += bytes } }

    /// Takes up to `count` bytes of space; returns how many were granted.
    func take(_ count: Int) -> Int {
        lock.withLock {
            let granted = min(count, remaining)
            remaining -= granted
            return granted
        }
    }

    func makeDirectory(_ path: String) throws { try base.makeDirectory(path) }
    func contents(ofDirectory path: String) throws -> [String] { try base.contents(ofDirectory: path) }
    func isDirectory(_ path: String) -> Bool { base.isDirectory(path) }
    func create(_ path: String, exclusive: Bool) throws -> any SpoolFile {
        FillingFile(try base.create(path, exclusive: exclusive), fileSystem: self)
    }
    func open(_ path: String, writable: Bool) throws -> any SpoolFile {
        FillingFile(try base.open(path, writable: writable), fileSystem: self)
    }
    func rename(_ source: String, to destination: String) throws { try base.rename(source, to: destination) }
    func link(_ source: String, to destination: String) throws { try base.link(source, to: destination) }
    func remove(_ path: String) throws { try base.remove(path) }
    func syncDirectory(_ path: String) throws { try base.syncDirectory(path) }
    func lockExclusively(_ path: String) throws -> any SpoolFile { try base.lockExclusively(path) }
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
