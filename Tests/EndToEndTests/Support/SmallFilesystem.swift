import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real filesystem of a few MiB (tmpfs) mounted at a test's directory, so a spool can fill a
/// disk for real (ENOSPC from the kernel). Needs root or CAP_SYS_ADMIN; `available` tells.
final class SmallFilesystem: @unchecked Sendable {
    let path: String

    /// Mounts a tmpfs of `size` (e.g. `1m`) at `path`, created if missing.
    init(at path: String, size: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let result = mount("tmpfs", path, "tmpfs", 0, "size=\(size),mode=0750")
        guard result == 0 else { throw TestFailure("mount tmpfs at \(path): \(String(cString: strerror(errno)))") }
        self.path = path
    }

    func unmount() { _ = umount2(path, Int32(MNT_DETACH)) }

    /// Grows (or shrinks) the filesystem in place: space freed from outside.
    func resize(_ size: String) throws {
        guard mount("tmpfs", path, "tmpfs", UInt(MS_REMOUNT), "size=\(size)") == 0 else {
            throw TestFailure("remount \(path) size=\(size): \(String(cString: strerror(errno)))")
        }
    }

    /// Whether this process may mount a tmpfs (tried once, on a scratch directory).
    static let available: Bool = {
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("auditsieve-mount-probe-\(getpid())")
            .path
        guard let filesystem = try? SmallFilesystem(at: probe, size: "64k") else { return false }
        filesystem.unmount()
        try? FileManager.default.removeItem(atPath: probe)
        return true
    }()
}
