import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// A syslog receiver on 127.0.0.1 for the sink tests. It keeps each connection's bytes apart (in
/// accept order), can stop reading (a stalled peer), close its connections (a peer that goes
/// away), and stop and start again on the same port (a restarted receiver).
final class SyslogTestServer: Sendable {
    private struct State {
        var received: [[UInt8]] = []
        var children: [any Channel] = []
        var reading = true
        var listener: (any Channel)?
    }

    /// Appends what one connection reads to its slot in `received`.
    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let state: NIOLockedValueBox<State>
        let slot: Int

        init(state: NIOLockedValueBox<State>, slot: Int) {
            self.state = state
            self.slot = slot
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = unwrapInboundIn(data).readableBytesView
            state.withLockedValue { $0.received[slot].append(contentsOf: bytes) }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }

    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let tls: NIOSSLContext?
    private let state = NIOLockedValueBox(State())
    private let boundPort = NIOLockedValueBox(0)

    var port: Int { boundPort.withLockedValue { $0 } }

    private let receiveBufferBytes: Int?

    /// `receiveBufferBytes` shrinks the kernel's receive buffer, so that a stall is felt sooner.
    init(tls: NIOSSLContext? = nil, receiveBufferBytes: Int? = nil) throws {
        self.tls = tls
        self.receiveBufferBytes = receiveBufferBytes
        try start()
    }

    /// Binds 127.0.0.1: a free port the first time, the same port after `stop()`.
    func start() throws {
        var bootstrap = ServerBootstrap(group: group).serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        if let receiveBufferBytes {
            // Set on the listener, so accepted sockets start with it (the TCP window is agreed at SYN).
            bootstrap = bootstrap.serverChannelOption(
                .socketOption(.so_rcvbuf), value: SocketOptionValue(receiveBufferBytes))
        }
        let listener =
            try bootstrap
            .childChannelInitializer { [state, tls] channel in
                channel.eventLoop.makeCompletedFuture {
                    let (slot, reading) = state.withLockedValue { state in
                        state.received.append([])
                        state.children.append(channel)
                        return (state.received.count - 1, state.reading)
                    }
                    try channel.syncOptions!.setOption(.autoRead, value: reading)
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.addHandler(Collector(state: state, slot: slot))
                }
            }
            .bind(host: "127.0.0.1", port: port)
            .wait()
        boundPort.withLockedValue { $0 = listener.localAddress!.port! }
        state.withLockedValue { $0.listener = listener }
    }

    /// Closes the listener and every connection; `start()` opens the same port again.
    func stop() throws {
        let listener = state.withLockedValue { state in
            defer { state.listener = nil }
            return state.listener
        }
        try listener?.close().wait()
        try closeConnections()
    }

    /// Closes every connection, as a receiver that restarts or drops idle clients does; returns
    /// once each is closed.
    ///
    /// Each connection is first half-closed (our FIN, or TLS close_notify), and is closed for good
    /// once the sender has closed its side, at most 2 s later: a receiver that dropped an idle client
    /// did so long before the next batch, so the sender has seen the close when the test sends
    /// again. (A plain close right before a write races on a loaded machine: the FIN may reach the
    /// sender after its write went into the socket, which TCP then loses; README, delivery.)
    func closeConnections() throws {
        for child in state.withLockedValue({ $0.children }) {
            let halfClosed = child.eventLoop.makePromise(of: Void.self)
            child.close(mode: .output, promise: halfClosed)
            let closedBySender = child.eventLoop.makePromise(of: Void.self)
            child.closeFuture.cascade(to: closedBySender)
            halfClosed.futureResult.whenFailure { _ in child.close(promise: nil) }
            child.eventLoop.scheduleTask(in: .seconds(2)) { child.close(promise: nil) }
            try? closedBySender.futureResult.wait()
            try child.closeFuture.wait()
        }
    }

    /// Stops reading every connection, present and future: the kernel's buffers fill up and the
    /// sender's writes stall.
    func stopReading() throws { try setReading(false) }

    func resumeReading() throws { try setReading(true) }

    /// Bytes received, one entry per accepted connection.
    var received: [[UInt8]] { state.withLockedValue { $0.received } }

    func shutdown() throws {
        try stop()
        try group.syncShutdownGracefully()
    }

    private func setReading(_ reading: Bool) throws {
        let children = state.withLockedValue { state in
            state.reading = reading
            return state.children
        }
        for child in children where child.isActive {
            try? child.setOption(.autoRead, value: reading).wait()
        }
    }
}
