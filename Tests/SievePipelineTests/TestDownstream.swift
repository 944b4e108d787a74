import Foundation
import SieveTestSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A syslog collector on 127.0.0.1 for outage tests: it collects LF-terminated lines (the sink
/// sends `framing: lf`), and can go down (close its listener and every connection, then come
/// back on the same port) or stall (keep connections open but stop reading them).
final class TestDownstream: @unchecked Sendable {
    private let lines = NIOLockedValueBox<[String]>([])
    private let connections = NIOLockedValueBox<[any Channel]>([])
    private let stalled = NIOLockedValueBox(false)
    private var server: (any Channel)?
    private(set) var port = 0

    /// The port comes from below the kernel's ephemeral range, so that while this collector is
    /// down no other test's `bind(port: 0)` or outgoing connection can take it.
    init() async throws {
        var lastError: (any Error)?
        for _ in 0..<50 {
            port = portOutsideEphemeralRange()
            do {
                try await up()
                return
            } catch {
                lastError = error
            }
        }
        throw lastError!
    }

    /// Listens (again, on the same port once it has one).
    func up() async throws {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.autoRead, value: !stalled.withLockedValue { $0 })
            .childChannelInitializer { [lines, connections] channel in
                connections.withLockedValue { $0.append(channel) }
                return channel.pipeline.addHandler(LineCollector(lines: lines))
            }
        server = try await bootstrap.bind(host: "127.0.0.1", port: port).get()
        port = server!.localAddress!.port!
    }

    /// Stops accepting and closes every connection the way a collector that shuts down does:
    /// it stops sending (FIN), reads what the sink already wrote until the sink closes too, so
    /// the test sees what a real outage loses on our side only (nothing; see the sink's dead-peer
    /// detection), not what the kernel threw away.
    func down() async {
        try? await server?.close()
        server = nil
        let open = connections.withLockedValue { channels in
            defer { channels.removeAll() }
            return channels
        }
        for channel in open {
            try? await channel.close(mode: .output)
        }
        for channel in open {
            let closed = channel.closeFuture
            let deadline = Date().addingTimeInterval(5)
            while channel.isActive && Date() < deadline { try? await Task.sleep(for: .milliseconds(10)) }
            if channel.isActive { try? await channel.close() }
            try? await closed.get()
        }
    }

    /// Keeps connections open but stops reading them (new ones too); `resume` reads again.
    func stall() {
        stalled.withLockedValue { $0 = true }
        for channel in connections.withLockedValue({ $0 }) {
            channel.eventLoop.execute { try? channel.syncOptions?.setOption(ChannelOptions.autoRead, value: false) }
        }
    }

    func resume() {
        stalled.withLockedValue { $0 = false }
        for channel in connections.withLockedValue({ $0 }) {
            channel.eventLoop.execute { try? channel.syncOptions?.setOption(ChannelOptions.autoRead, value: true) }
        }
    }

    var received: [String] { lines.withLockedValue { $0 } }

    /// The Percona record numbers (`"record":"N_...`) of the received events, in arrival order.
    var recordNumbers: [Int] { received.compactMap(Self.recordNumber) }

    static func recordNumber(_ line: String) -> Int? {
        guard let range = line.range(of: #""record":""#) else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }

    /// Waits until `count` lines arrived (or the timeout passed).
    func waitFor(_ count: Int, timeout: Double = 20) async -> [Int] {
        let deadline = Date().addingTimeInterval(timeout)
        while received.count < count && Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return recordNumbers
    }

    func stop() async { await down() }
}

/// Splits a connection's bytes into LF-terminated lines.
private final class LineCollector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let lines: NIOLockedValueBox<[String]>
    private var partial: [UInt8] = []

    init(lines: NIOLockedValueBox<[String]>) { self.lines = lines }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        var complete: [String] = []
        for byte in bytes {
            if byte == 0x0A {
                complete.append(String(decoding: partial, as: UTF8.self))
                partial.removeAll(keepingCapacity: true)
            } else {
                partial.append(byte)
            }
        }
        if !complete.isEmpty { lines.withLockedValue { $0.append(contentsOf: complete) } }
    }
}
