import FuzzSupport
import NIOCore
import NIOEmbedded
import NIOHTTP1
import SieveSQL
import SieveHTTPRouting

/// The input is what a client sends the HTTP endpoint. NIO's request decoder reads it as the server
/// does, and each request head goes to the router as `HTTPRequestHandler` passes it; the input is also
/// routed directly as `TARGET LF AUTHORIZATION`, with bytes the decoder would refuse. Three routers:
/// `/tail` off, `/tail` with a token, both endpoints with tokens. A `/tail` answer runs its filter.
let routers = [
    HTTPRequestRouter(tailToken: nil),
    HTTPRequestRouter(tailToken: "t0k"),
    HTTPRequestRouter(tailToken: "t0k", metricsToken: "m3t"),
]

let sampleEvent = TailEvent(
    line: [], cluster: "billing", tables: [TableRef(db: "billing", name: "invoices"), TableRef(db: nil, name: "t")],
    user: "app[app] @ web1 [10.0.0.5]"
)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPRouter(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = fuzzInput(data, size)
    let lineEnd = input.firstIndex(of: 0x0A)
    let target = String(decoding: input[..<(lineEnd ?? input.count)], as: UTF8.self)
    let authorization = lineEnd.map { String(decoding: input[($0 + 1)...], as: UTF8.self) }
    route(.GET, target, authorization)
    for head in requestHeads(input) {
        route(head.method, head.uri, head.headers.first(name: "authorization"))
    }
    return 0
}

func route(_ method: HTTPMethod, _ target: String, _ authorization: String?) {
    for router in routers {
        let action = router.route(method: method, target: target, authorization: authorization)
        switch action {
        case .tail(let filter):
            fuzzCheck(method == .GET, "/tail answered a \(method)")
            fuzzCheck(
                router.tailToken.map { authorization?.contains($0) == true } == true,
                "/tail without its token: \(authorization.debugDescription)"
            )
            _ = filter.evaluate(sampleEvent)
        case .metrics:
            fuzzCheck(method == .GET, "/metrics answered a \(method)")
            if let token = router.metricsToken {
                fuzzCheck(
                    authorization?.contains(token) == true,
                    "/metrics without its token: \(authorization.debugDescription)")
            }
        case .health, .readiness:
            fuzzCheck(method == .GET, "a probe answered a \(method)")
        case .reply(let status, _, let headers):
            // The body may quote the client's own parameter (any bytes, LF included); headers never do.
            fuzzCheck(status.code >= 400 && status.code < 500, "a refusal with \(status)")
            fuzzCheck(headers.allSatisfy { ["Allow", "WWW-Authenticate"].contains($0.0) }, "reply headers \(headers)")
        }
    }
}

/// The request heads NIO's decoder reads from the bytes, as far as it reads them.
func requestHeads(_ input: UnsafeRawBufferPointer) -> [HTTPRequestHead] {
    let channel = EmbeddedChannel()
    defer { _ = try? channel.finish() }
    do {
        try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
        try channel.writeInbound(channel.allocator.buffer(bytes: input))
    } catch {
        // A request the decoder refuses: the server answers 400 and never routes it; heads read
        // before it are still below.
    }
    var heads: [HTTPRequestHead] = []
    while let part = try? channel.readInbound(as: HTTPServerRequestPart.self) {
        if case .head(let head) = part { heads.append(head) }
    }
    return heads
}
