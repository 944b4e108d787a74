import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Calls `body` with the socket address 127.0.0.1:`port` (for bind or connect).
func withLoopbackAddress<T>(port: Int, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
}

/// A blocking TCP client socket to 127.0.0.1. Sends never raise SIGPIPE (MSG_NOSIGNAL): a server
/// that closes a hostile connection must not kill the test runner.
final class TCPConnection: @unchecked Sendable {
    private(set) var fd: Int32

    /// `from`: the loopback address to connect from (e.g. 127.0.0.2: every 127/8 address is local).
    init(port: Int, from: String? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket(): \(String(cString: strerror(errno)))") }
        if let from {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(from)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else {
                let reason = String(cString: strerror(errno))
                Glibc.close(fd)
                fd = -1  // deinit runs after a throwing init: it must not close the number again
                throw TestFailure("bind(\(from)): \(reason)")
            }
        }
        let result = withLoopbackAddress(port: port) { connect(fd, $0, $1) }
        guard result == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            fd = -1  // deinit runs after a throwing init: it must not close the number again
            throw TestFailure("connect(127.0.0.1:\(port)): \(reason)")
        }
    }

    deinit { close() }

    /// Sends every byte; throws when the peer has closed (EPIPE/ECONNRESET) or on another error.
    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        try bytes.withUnsafeBytes { raw in
            while offset < raw.count {
                let sent = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0 {
                    if errno == EINTR { continue }
                    throw TestFailure("send: \(String(cString: strerror(errno)))")
                }
                offset += sent
            }
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Sends, and reports whether the peer had closed instead of throwing.
    @discardableResult
    func sendIgnoringClose(_ bytes: [UInt8]) -> Bool {
        (try? send(bytes)) != nil
    }

    /// Half-closes (FIN): the server sees end of stream after everything sent.
    func shutdownWrite() { _ = Glibc.shutdown(fd, Int32(SHUT_WR)) }

    /// Reads until the server closes the connection (EOF or reset); false on timeout.
    func waitForServerClose(timeout: TimeInterval = 20) -> Bool {
        var interval = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            let received = recv(fd, &buffer, buffer.count, 0)
            if received == 0 { return true }
            if received < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
                return true  // ECONNRESET and the like: closed
            }
        }
        return false
    }

    /// Reads until the server closes the connection; throws after `timeout`.
    /// What arrives within `duration` (less if the server closes the connection first).
    func read(for duration: TimeInterval) -> [UInt8] {
        var received: [UInt8] = []
        _ = receive(into: &received, until: Date().addingTimeInterval(duration))
        return received
    }

    func readToEnd(timeout: TimeInterval = 20) throws -> [UInt8] {
        var received: [UInt8] = []
        guard receive(into: &received, until: Date().addingTimeInterval(timeout)) else {
            throw TestFailure("the server did not close the connection within \(timeout) s")
        }
        return received
    }

    /// Appends what arrives until the server closes the connection (true) or `deadline` (false).
    private func receive(into received: inout [UInt8], until deadline: Date) -> Bool {
        var interval = timeval(tv_sec: 0, tv_usec: 50_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 65536)
        while Date() < deadline {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 {
                received.append(contentsOf: buffer[..<count])
            } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                return true
            }
        }
        return false
    }

    func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }
}

/// Sends one datagram to an AF_UNIX datagram socket, as glibc syslog(3) does to /dev/log.
func sendUnixDatagram(_ bytes: [UInt8], to path: String) throws {
    let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
    guard fd >= 0 else { throw TestFailure("socket(AF_UNIX): \(String(cString: strerror(errno)))") }
    defer { Glibc.close(fd) }
    var size = Int32(1 << 20)
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let pathBytes = Array(path.utf8)
    guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
        throw TestFailure("socket path too long: \(path)")
    }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        raw.copyBytes(from: pathBytes)
        raw[pathBytes.count] = 0
    }
    let sent = bytes.withUnsafeBytes { raw in
        withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
    }
    guard sent == bytes.count else {
        throw TestFailure(
            "sendto(\(path)) of \(bytes.count) bytes: \(sent < 0 ? String(cString: strerror(errno)) : "sent \(sent)")")
    }
}

/// Runs blocking bodies on threads of their own (not the cooperative pool) and waits for all;
/// rethrows the first error.
func onThreads(_ bodies: [@Sendable () throws -> Void]) async throws {
    let errors = ErrorBox()
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let group = DispatchGroup()
        for body in bodies {
            group.enter()
            Thread.detachNewThread {
                do { try body() } catch { errors.add(error) }
                group.leave()
            }
        }
        group.notify(queue: .global()) { continuation.resume() }
    }
    if let first = errors.first { throw first }
}

final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [any Error] = []
    func add(_ error: any Error) {
        lock.lock()
        errors.append(error)
        lock.unlock()
    }
    var first: (any Error)? {
        lock.lock()
        defer { lock.unlock() }
        return errors.first
    }
}
