import NIOCore
import NIOHTTP1
import SieveHTTPRouting

/// Answers one HTTP request per connection (`Connection: close`), or turns the connection into a
/// `/tail` stream: a chunked response that lasts until the client goes away or the server stops.
final class HTTPRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let prometheusContentType = "text/plain; version=0.0.4; charset=utf-8"

    private let responder: HTTPResponder
    private let requestTimeout: TimeAmount
    private var head: HTTPRequestHead?
    private var tailClient: TailClient?
    private var answered = false
    private var deadline: Scheduled<Void>?
    /// An answer must be taken by the client within `requestTimeout` too: one that never reads
    /// (a full receive window) would otherwise hold its connection slot for ever.
    private var writeDeadline: Scheduled<Void>?

    init(responder: HTTPResponder, requestTimeout: TimeAmount = .seconds(10)) {
        self.responder = responder
        self.requestTimeout = requestTimeout
    }

    /// The whole request must arrive within `requestTimeout` of the connection (a client sending
    /// a header byte at a time cannot hold it open).
    func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: requestTimeout) {
            let (handler, context) = loopBound.value
            guard !handler.answered else { return }
            handler.answered = true
            handler.responder.metrics.refused(.requestTimeout).increment()
            handler.send(
                .requestTimeout, "text/plain; charset=utf-8", Array("the request did not arrive in time\n".utf8),
                context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        writeDeadline?.cancel()
        writeDeadline = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            // Nothing served here takes a body; one announced (or chunked) is refused at once
            // rather than read, however slowly it comes.
            let length = head.headers.first(name: "content-length").flatMap { Int($0) } ?? 0
            if !answered, length > 0 || head.headers.contains(name: "transfer-encoding") {
                answered = true
                deadline?.cancel()
                responder.metrics.refused(.requestBody).increment()
                send(
                    .payloadTooLarge, "text/plain; charset=utf-8", Array("request bodies are not accepted here\n".utf8),
                    context: context)
            }
        case .body: break
        case .end:
            guard let head, !answered else { return }
            answered = true
            deadline?.cancel()
            answer(head, context: context)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        tailClient?.flush()
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let tailClient { responder.tail.remove(tailClient) }
        tailClient = nil
        context.fireChannelInactive()
    }

    private func answer(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let action = responder.router.route(
            method: head.method, target: head.uri, authorization: head.headers.first(name: "authorization")
        )
        switch action {
        case .metrics:
            var body = responder.registry.emitToBuffer()
            responder.appendMetrics(&body)
            send(.ok, Self.prometheusContentType, body, context: context)
        case .health:
            send(.ok, "text/plain; charset=utf-8", Array("ok\n".utf8), context: context)
        case .readiness:
            let report = responder.readiness()
            send(report.ready ? .ok : .serviceUnavailable, "application/json", report.json, context: context)
        case .reply(let status, let message, let headers):
            send(status, "text/plain; charset=utf-8", Array("\(message)\n".utf8), headers: headers, context: context)
        case .tail(let filter):
            startTail(filter, context: context)
        }
    }

    private func send(
        _ status: HTTPResponseStatus, _ contentType: String, _ body: [UInt8], headers extra: [(String, String)] = [],
        context: ChannelHandlerContext
    ) {
        var headers = HTTPHeaders([
            ("Content-Type", contentType), ("Content-Length", "\(body.count)"), ("Connection", "close"),
        ])
        headers.add(contentsOf: extra)
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        let channel = context.channel
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        written.whenComplete { _ in channel.close(promise: nil) }
        guard writeDeadline == nil else { return }
        let metrics = responder.metrics
        writeDeadline = context.eventLoop.scheduleTask(in: requestTimeout) {
            guard channel.isActive else { return }
            metrics.refused(.responseTimeout).increment()
            channel.close(promise: nil)
        }
    }

    /// No Content-Length: the encoder sends the body chunked.
    private func startTail(_ filter: TailFilter, context: ChannelHandlerContext) {
        let headers = HTTPHeaders([("Content-Type", "application/x-ndjson"), ("Cache-Control", "no-store")])
        context.writeAndFlush(
            wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        let client = TailClient(
            channel: context.channel, filter: filter, limit: responder.tailBufferBytes, missed: responder.tail.missed
        )
        tailClient = client
        responder.tail.add(client)
    }
}
