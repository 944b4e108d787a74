import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP port on 127.0.0.1 that listens but never accepts: the kernel completes connections into
/// the backlog and buffers what is sent until the buffers are full, then every write waits. A
/// downstream that is up and black-holes traffic.
final class BlackHoleListener {
    let port: Int
    private var fd: Int32

    init() throws {
        port = try unusedPort()
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withLoopbackAddress(port: port) { bind(fd, $0, $1) }
        guard bound == 0, listen(fd, 16) == 0 else {
            Glibc.close(fd)
            fd = -1  // deinit runs after a throwing init: it must not close the number again
            throw TestFailure("cannot listen on 127.0.0.1:\(port): errno \(errno)")
        }
    }

    func close() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }

    deinit { close() }
}
