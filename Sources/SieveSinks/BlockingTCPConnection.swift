import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A non-blocking TCP socket used from one thread with deadlines (poll(2) in slices, so a
/// `stop` flag set by another thread is seen within `slice`): connect, write all, read some.
/// For sinks whose delivery thread waits for the peer's answers (RELP).
final class BlockingTCPConnection {
    enum Failure: Error {
        case connect(String)
        case timeout
        case closedByPeer
        case io(String)
        /// The peer answered, but not with what was asked (a RELP `500`, a session refused).
        case refused(String)
        case stopped
    }

    private var fd: Int32
    static let sliceMilliseconds: Int32 = 100

    private init(fd: Int32) { self.fd = fd }

    deinit { close() }

    /// Connects to the first address of `host:port` that answers within the deadline.
    static func connect(host: String, port: Int, timeoutMilliseconds: Int, stop: () -> Bool) throws(Failure)
        -> BlockingTCPConnection
    {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw .connect("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard fd >= 0 else { continue }
            let connection = BlockingTCPConnection(fd: fd)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return connection }
            guard errno == EINPROGRESS else {
                lastError = String(cString: strerror(errno))
                continue
            }
            do {
                try connection.wait(for: Int16(POLLOUT), deadline: deadline(after: timeoutMilliseconds), stop: stop)
            } catch .timeout {
                lastError = "no answer within \(timeoutMilliseconds) ms"
                continue
            } catch {
                throw error
            }
            var code: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
            if code == 0 { return connection }
            lastError = String(cString: strerror(code))
        }
        throw .connect("cannot connect to \(host):\(port): \(lastError)")
    }

    /// Monotonic milliseconds `milliseconds` from now.
    static func deadline(after milliseconds: Int) -> Int {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return now.tv_sec * 1000 + now.tv_nsec / 1_000_000 + milliseconds
    }

    private static func now() -> Int { deadline(after: 0) }

    /// Waits until the socket is ready for `events`, the deadline passes, or `stop` says so.
    private func wait(for events: Int16, deadline: Int, stop: () -> Bool) throws(Failure) {
        while true {
            if stop() { throw .stopped }
            let left = deadline - Self.now()
            if left <= 0 { throw .timeout }
            var poller = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&poller, 1, min(Self.sliceMilliseconds, Int32(left)))
            if ready > 0 { return }
            if ready < 0 && errno != EINTR { throw .io(String(cString: strerror(errno))) }
        }
    }

    /// Writes every byte; the deadline is for progress (each write that moves bytes renews it).
    func writeAll(_ bytes: [UInt8], timeoutMilliseconds: Int, stop: () -> Bool) throws(Failure) {
        var offset = 0
        var deadline = Self.deadline(after: timeoutMilliseconds)
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written > 0 {
                offset += written
                deadline = Self.deadline(after: timeoutMilliseconds)
            } else if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                try wait(for: Int16(POLLOUT), deadline: deadline, stop: stop)
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                throw errno == EPIPE || errno == ECONNRESET ? .closedByPeer : .io(String(cString: strerror(errno)))
            }
        }
    }

    /// Reads what is there (at least one byte) onto the end of `buffer`, waiting up to the deadline.
    func readSome(into buffer: inout ByteBuffer, deadline: Int, stop: () -> Bool) throws(Failure) {
        buffer.discardReadBytes()
        while true {
            // Acknowledge at once what the peer sends: a peer with Nagle's algorithm on (librelp)
            // holds its next small answer until our ACK comes, and a delayed ACK waits 40 ms.
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_QUICKACK, &one, socklen_t(MemoryLayout<Int32>.size))
            var count = 0
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 64 << 10) { free in
                count = recv(fd, free.baseAddress, free.count, 0)
                return max(0, count)
            }
            if count > 0 { return }
            if count == 0 { throw .closedByPeer }
            if errno == EAGAIN || errno == EWOULDBLOCK {
                try wait(for: Int16(POLLIN), deadline: deadline, stop: stop)
            } else if errno != EINTR {
                throw errno == ECONNRESET ? .closedByPeer : .io(String(cString: strerror(errno)))
            }
        }
    }

    func close() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }
}
