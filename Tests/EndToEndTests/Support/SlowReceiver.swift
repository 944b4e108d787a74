import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A downstream syslog receiver on 127.0.0.1 that reads slowly (`bytesPerTick` every 20 ms) until
/// told to go fast, keeping every byte; it takes one connection after another. Record ids are found
/// in what arrived (`"record":"N_…"`), whatever the framing.
final class SlowReceiver: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var received: [UInt8] = []
    private let fast = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    private let bytesPerTick: Int

    init(bytesPerTick: Int = 16 << 10) throws {
        self.bytesPerTick = bytesPerTick
        port = try unusedPort()
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withLoopbackAddress(port: port) { bind(listener, $0, $1) }
        guard bound == 0, listen(listener, 16) == 0 else { throw TestFailure("cannot listen on \(port)") }
        Thread.detachNewThread { [self] in self.serve() }
    }

    func goFast() { fast.store(true, ordering: .relaxed) }

    /// Wakes the accepting thread, which closes the listener itself: closing it here could let
    /// that thread call accept(2) on the number after another test's socket took it.
    func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        Glibc.shutdown(listener, Int32(SHUT_RDWR))
    }

    /// The record ids received so far, in order, duplicates included.
    func recordIDs() -> [String] {
        let bytes = lock.withLock { received }
        let marker = Array(#""record":""#.utf8)
        var ids: [String] = []
        var index = 0
        while index + marker.count < bytes.count {
            if bytes[index] == marker[0], bytes[index..<index + marker.count].elementsEqual(marker) {
                let start = index + marker.count
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: "\"") { end += 1 }
                // Connections' bytes are kept one after another, so a frame a stop cut inside its
                // record id runs on into the next connection's bytes: only a whole id counts.
                let id = String(decoding: bytes[start..<end], as: UTF8.self)
                if end < bytes.count, id.wholeMatch(of: /[0-9]+_1970-01-01T00:00:00/) != nil { ids.append(id) }
                index = end
            } else {
                index += 1
            }
        }
        return ids
    }

    private func serve() {
        defer { Glibc.close(listener) }
        while !stopped.load(ordering: .relaxed) {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let limit = fast.load(ordering: .relaxed) ? buffer.count : bytesPerTick
                let count = recv(connection, &buffer, limit, 0)
                if count <= 0 { break }
                lock.withLock { received.append(contentsOf: buffer[..<count]) }
                if !fast.load(ordering: .relaxed) { usleep(20_000) }
            }
            Glibc.close(connection)
        }
    }
}
