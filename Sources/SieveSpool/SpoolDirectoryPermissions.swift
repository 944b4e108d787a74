#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Spool directories hold the audit trail while a sink is down: nobody but the daemon (and its
/// group, to read) may write there. New directories are made 0750; an existing one that its
/// group or others may write to is tightened to drop those bits (and others' access), and one that
/// cannot be (not ours, or a shared sticky directory like /tmp) is refused.
public enum SpoolDirectoryPermissions {
    public enum Outcome: Sendable, Equatable {
        case fine
        /// The mode was changed from the first to the second.
        case tightened(from: UInt32, to: UInt32)
    }

    public static func secure(_ path: String) throws -> Outcome {
        var info = stat()
        guard stat(path, &info) == 0 else { throw SpoolError.io(operation: "stat", path: path, errno: errno) }
        let mode = UInt32(info.st_mode) & 0o7777
        guard mode & 0o022 != 0 else { return .fine }
        if mode & 0o1002 == 0o1002 {
            throw SpoolError.unsafeDirectory(
                path: path,
                reason:
                    "it is a shared directory (mode \(String(mode, radix: 8)): writable by everyone, sticky, like /tmp); use a directory of the daemon's own, e.g. /var/lib/auditsieve/spool"
            )
        }
        let tightened = mode & ~UInt32(0o027)
        guard chmod(path, mode_t(tightened)) == 0 else {
            throw SpoolError.unsafeDirectory(
                path: path,
                reason:
                    "others may write to it (mode \(String(mode, radix: 8))) and it cannot be tightened (\(String(cString: strerror(errno)))); chmod 0750 it"
            )
        }
        return .tightened(from: mode, to: tightened)
    }
}
