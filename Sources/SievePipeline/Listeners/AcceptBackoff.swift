import Logging
import Metrics
import NIOCore

/// Sits on a server socket: when accept(2) fails (EMFILE when the process is out of file
/// descriptors, ENFILE, ENOBUFS), it stops accepting for `pause`, counts and logs the failure
/// (at most once per 10 s), then accepts again. Every syslog listener and the HTTP endpoint have
/// one.
///
/// NIO's own `AcceptBackoffHandler` withholds the next `read()`, but a failed accept leaves the
/// server channel's read pending and its socket registered, so epoll reports the waiting
/// connection again at once and the accept fails in a busy loop (seen: a core spent, 15,000 failed
/// accept4 per second). Turning `autoRead` off unregisters the socket; turning it on again
/// registers it.
final class AcceptBackoff: ChannelInboundHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    static let pause = TimeAmount.milliseconds(250)

    private let name: String
    private let errors: Counter
    private let warning: RateLimitedLog
    private var resume: Scheduled<Void>?

    init(name: String, errors: Counter, warning: RateLimitedLog) {
        self.name = name
        self.errors = errors
        self.warning = warning
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is IOError else {
            context.fireErrorCaught(error)
            return
        }
        errors.increment()
        warning.warning(
            "accept failed; not accepting for \(Self.pause.nanoseconds / 1_000_000) ms",
            metadata: ["listener": "\(name)", "error": "\(error)"]
        )
        guard resume == nil, let options = context.channel.syncOptions else { return }
        try? options.setOption(ChannelOptions.autoRead, value: false)
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        resume = context.eventLoop.scheduleTask(in: Self.pause) {
            let (handler, context) = loopBound.value
            handler.resume = nil
            try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: true)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        resume?.cancel()
        resume = nil
    }
}

@available(*, unavailable)
extension AcceptBackoff: Sendable {}
