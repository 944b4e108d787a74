#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one error type of the spool. Every case names the file and the position or errno involved;
/// `code` is a stable string usable as a metric label.
public enum SpoolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A system call failed: `operation` is its name (`open`, `write`, `fsync`, …).
    case io(operation: String, path: String, errno: Int32)
    /// A block failed its checksum or framing checks at `offset` in `path`.
    case corruptBlock(path: String, offset: Int, reason: String)
    /// zstd rejected a block's payload.
    case compression(reason: String)
    /// Another process holds the queue directory's lock file.
    case locked(path: String)
    /// A spool directory others may write to, that could not be made private.
    case unsafeDirectory(path: String, reason: String)

    /// A stable label: `io_enospc`, `io_eio`, … (`io_errnoN` for an errno without a name here),
    /// `corrupt_block`, `compression`, `locked`, `unsafe_directory`.
    public var code: String {
        switch self {
        case .io(_, _, let number): "io_" + SpoolError.errnoName(number)
        case .corruptBlock: "corrupt_block"
        case .compression: "compression"
        case .locked: "locked"
        case .unsafeDirectory: "unsafe_directory"
        }
    }

    /// True for the errors that mean "the disk (or the process's file size limit) is full":
    /// ENOSPC, EDQUOT and EFBIG. The queue answers `.full` for these instead of failing.
    public var isOutOfSpace: Bool {
        guard case .io(_, _, let number) = self else { return false }
        return number == ENOSPC || number == EDQUOT || number == EFBIG
    }

    public var description: String {
        switch self {
        case .io(let operation, let path, let number):
            "\(operation) \(path): \(String(cString: strerror(number))) (\(SpoolError.errnoName(number)))"
        case .corruptBlock(let path, let offset, let reason): "corrupt block in \(path) at offset \(offset): \(reason)"
        case .compression(let reason): "zstd: \(reason)"
        case .locked(let path): "\(path) is locked by another process"
        case .unsafeDirectory(let path, let reason): "spool directory \(path): \(reason)"
        }
    }

    private static func errnoName(_ number: Int32) -> String {
        switch number {
        case ENOSPC: "enospc"
        case EDQUOT: "edquot"
        case EFBIG: "efbig"
        case EIO: "eio"
        case ENOENT: "enoent"
        case EACCES: "eacces"
        case EEXIST: "eexist"
        case EROFS: "erofs"
        case EWOULDBLOCK: "ewouldblock"
        default: "errno\(number)"
        }
    }
}
