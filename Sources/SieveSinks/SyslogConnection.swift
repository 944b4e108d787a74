import Dispatch
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// One TCP (or TLS) connection of a `SyslogSink`, used from its delivery threads.
final class SyslogConnection: Sendable {
    let channel: any Channel
    private let status: NIOLockedValueBox<SyslogPeerStatus>

    private init(channel: any Channel, status: NIOLockedValueBox<SyslogPeerStatus>) {
        self.channel = channel
        self.status = status
    }

    /// Connects and, with `tls`, completes the handshake, all within `timeout`: the future
    /// succeeds only with a connection ready to carry events, and a connection that fails on the
    /// way is closed, never leaked.
    static func open(
        host: String, port: Int, group: any EventLoopGroup, tls: (context: NIOSSLContext, serverHostname: String?)?,
        timeout: TimeAmount
    ) -> EventLoopFuture<SyslogConnection> {
        let eventLoop = group.next()
        let ready = eventLoop.makePromise(of: Void.self)
        let status = NIOLockedValueBox(SyslogPeerStatus())
        let handshakeTimeout = eventLoop.scheduleTask(in: timeout) {
            ready.fail(SyslogLinkError.connectFailed("no TLS handshake within \(timeout.nanoseconds / 1_000_000) ms"))
        }
        ready.futureResult.whenComplete { _ in handshakeTimeout.cancel() }
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let tls {
                        let handler = try NIOSSLClientHandler(context: tls.context, serverHostname: tls.serverHostname)
                        try pipeline.addHandler(handler)
                    }
                    try pipeline.addHandler(
                        SyslogPeerWatcher(status: status, ready: ready, waitsForHandshake: tls != nil))
                }
            }
            .connect(host: host, port: port)
            .flatMapError { error in
                ready.fail(error)
                return eventLoop.makeFailedFuture(error)
            }
            .flatMap { channel in
                ready.futureResult
                    .map { SyslogConnection(channel: channel, status: status) }
                    .flatMapError { error in
                        channel.close(promise: nil)
                        return eventLoop.makeFailedFuture(error)
                    }
            }
    }

    /// Writes `bytes` if the peer is still there, deciding on the event loop: a FIN or RST that
    /// reached the socket before this call is seen, and then nothing is written
    /// (`SyslogLinkError.peerGone`). Succeeds when every byte is in the kernel's socket buffer.
    ///
    /// The bytes go out as the pieces ending at `chunkEnds` (offsets from the reader index; the
    /// last is the end), each with its own promise: NIO completes them in order as the kernel
    /// takes them, so `written` counts the pieces fully handed over even when the write as a whole
    /// fails or is abandoned, and a retry resends only from the first piece not taken.
    func write(_ bytes: ByteBuffer, chunkEnds: [Int], written: NIOLockedValueBox<Int>) -> EventLoopFuture<Void> {
        channel.eventLoop.flatSubmit { [channel, status] in
            let alive = status.withLockedValue { $0.isAlive }
            guard alive, channel.isActive else {
                return channel.eventLoop.makeFailedFuture(SyslogLinkError.peerGone(Self.reason(status)))
            }
            var start = 0
            var pieces: [EventLoopFuture<Void>] = []
            pieces.reserveCapacity(chunkEnds.count)
            for (index, end) in chunkEnds.enumerated() where end > start {
                let promise = channel.eventLoop.makePromise(of: Void.self)
                promise.futureResult.whenSuccess { written.withLockedValue { $0 = max($0, index + 1) } }
                channel.write(bytes.getSlice(at: bytes.readerIndex + start, length: end - start)!, promise: promise)
                pieces.append(promise.futureResult)
                start = end
            }
            channel.flush()
            return EventLoopFuture.andAllSucceed(pieces, on: channel.eventLoop)
        }
    }

    /// Why the connection ended, or nil while it is up.
    var endReason: String? { status.withLockedValue { $0.isAlive ? nil : $0.endReason } }
    var endedByTLSError: Bool { status.withLockedValue { $0.endedByTLSError } }
    var discardedBytes: Int { status.withLockedValue { $0.discardedBytes } }

    func close() { channel.close(promise: nil) }

    /// Blocks until the channel has closed, at most `milliseconds` (never on an event loop). Once
    /// it has, no piece's promise can complete any more, so a `written` count read after it is final.
    func waitUntilClosed(milliseconds: Int) {
        guard !channel.eventLoop.inEventLoop else { return }
        let done = DispatchSemaphore(value: 0)
        channel.closeFuture.whenComplete { _ in done.signal() }
        _ = done.wait(timeout: .now() + .milliseconds(milliseconds))
    }

    private static func reason(_ status: NIOLockedValueBox<SyslogPeerStatus>) -> String {
        status.withLockedValue { $0.endReason } ?? "connection closed"
    }
}

/// The same connection, not an equal one: the link compares the connection it holds with the one
/// an event is about.
extension SyslogConnection: Equatable {
    static func == (lhs: SyslogConnection, rhs: SyslogConnection) -> Bool { lhs === rhs }
}
