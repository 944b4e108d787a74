import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A plain HTTP/1.1 client on a non-blocking socket to 127.0.0.1, read by polling (so a test that
/// waits never blocks a thread of the cooperative pool). It can stop reading on purpose: a stuck
/// `/tail` client.
final class HTTPTestConnection {
    private var fd: Int32
    private var received: [UInt8] = []
    private(set) var closedByServer = false

    /// `receiveBuffer` sets SO_RCVBUF before connecting (small: the kernel buffers little for a
    /// client that does not read).
    init(port: Int, receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HTTPTestError("socket(): \(String(cString: strerror(errno)))") }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            fd = -1  // deinit runs after a throwing init: it must not close the number again
            throw HTTPTestError("connect(127.0.0.1:\(port)): \(reason)")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    deinit { close() }

    func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }

    func send(method: String = "GET", _ target: String, headers: [(String, String)] = []) throws {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        let bytes = Array(text.utf8)
        let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { throw HTTPTestError("send: \(String(cString: strerror(errno)))") }
    }

    /// Sends bytes as they are; false when the server has closed the connection.
    @discardableResult
    func sendRaw(_ bytes: [UInt8]) -> Bool {
        let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return sent == bytes.count
    }

    /// Reads until the server closes the connection (or `timeout` passes); what it answered, if anything.
    func waitUntilClosed(timeout: Duration) async -> (closed: Bool, response: HTTPTestResponse?) {
        let deadline = ContinuousClock.now + timeout
        while !closedByServer && ContinuousClock.now < deadline {
            drain()
            if !closedByServer { try? await Task.sleep(for: .milliseconds(10)) }
        }
        return (closedByServer, HTTPTestResponse(received))
    }

    /// Whether the server has closed the connection, from what the kernel holds now (keeps what it read).
    func closedNow() -> Bool {
        drain()
        return closedByServer
    }

    /// Reads what the kernel holds now.
    private func drain() {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while fd >= 0 {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 {
                received.append(contentsOf: buffer[..<count])
            } else {
                if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) { closedByServer = true }
                return
            }
        }
    }

    /// Reads until `done` holds for the response so far (or the server closed); throws after `timeout`.
    func read(timeout: Duration = .seconds(15), until done: (HTTPTestResponse) -> Bool) async throws -> HTTPTestResponse
    {
        let deadline = ContinuousClock.now + timeout
        while true {
            drain()
            if let response = HTTPTestResponse(received), done(response) { return response }
            if closedByServer {
                if let response = HTTPTestResponse(received) { return response }
                throw HTTPTestError("the server closed the connection after \(received.count) bytes")
            }
            if ContinuousClock.now > deadline {
                throw HTTPTestError(
                    "no complete answer within \(timeout); got \(received.count) bytes: \(String(decoding: received.prefix(300), as: UTF8.self))"
                )
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// One request, read until the server closes (it answers `Connection: close`).
    static func get(
        port: Int, _ target: String, method: String = "GET", headers: [(String, String)] = []
    ) async throws -> HTTPTestResponse {
        let connection = try HTTPTestConnection(port: port)
        defer { connection.close() }
        try connection.send(method: method, target, headers: headers)
        return try await connection.read { _ in false }
    }
}

struct HTTPTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
