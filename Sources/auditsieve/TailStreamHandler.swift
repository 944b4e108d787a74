#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import NIOCore
import NIOHTTP1

/// Reads the `/tail` response: a 200's body goes straight to stdout as it arrives (JSON lines);
/// any other status is collected and reported. `outcome` completes when the response ends or the
/// connection closes.
final class TailStreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    enum Outcome: Sendable {
        /// The server ended the stream (it shut down).
        case ended
        /// Not 200: the status and the server's message.
        case refused(HTTPResponseStatus, String)
    }

    private let outcome: EventLoopPromise<Outcome>
    private var status: HTTPResponseStatus?
    private var message: [UInt8] = []
    private var finished = false

    init(outcome: EventLoopPromise<Outcome>) { self.outcome = outcome }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = head.status
        case .body(let buffer):
            if status == .ok {
                buffer.withUnsafeReadableBytes { Self.writeToStandardOutput($0) }
            } else {
                message.append(contentsOf: buffer.readableBytesView)
            }
        case .end:
            finish()
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A stream cut short after a 200 (a killed server) ended all the same.
        if status == .ok {
            finish()
        } else if !finished {
            outcome.fail(error)
            finished = true
        }
        context.close(promise: nil)
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        if let status, status != .ok {
            let text = String(decoding: message, as: UTF8.self).trimmingSpacesAndNewlines
            outcome.succeed(.refused(status, text))
        } else {
            outcome.succeed(.ended)
        }
    }

    /// Unbuffered, so each line is out as soon as it arrived (a pipe reader sees it at once).
    private static func writeToStandardOutput(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let written = write(STDOUT_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }
}

extension String {
    fileprivate var trimmingSpacesAndNewlines: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }
        return String(self.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
