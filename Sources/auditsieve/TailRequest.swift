import SieveConfig
import SievePipeline

/// What `auditsieve tail` asks for: the endpoint's host and port and the `/tail` request target
/// with its filters percent-encoded. Pure: tested without a server.
struct TailRequest: Equatable {
    var host: String
    var port: Int
    var target: String
    /// `https://`: the endpoint has `http.tls`.
    var tls = false

    /// `endpoint` is `http://HOST:PORT` or `https://HOST:PORT` (a trailing `/` allowed) or bare `HOST:PORT`.
    init(endpoint: String, cluster: String?, tables: [String], user: String?) throws(TailRequestError) {
        var address = Substring(endpoint)
        if address.hasPrefix("https://") {
            tls = true
            address = address.dropFirst("https://".count)
        }
        if address.hasPrefix("http://") { address = address.dropFirst("http://".count) }
        while address.hasSuffix("/") { address = address.dropLast() }
        guard let (host, port) = ListenerConfig.splitAddress(String(address)), port != 0 else {
            throw TailRequestError(
                "\(endpoint): the endpoint must be http://HOST:PORT or https://HOST:PORT, e.g. http://127.0.0.1:9514")
        }
        self.host = host
        self.port = port
        var parameters: [(String, String)] = []
        if let cluster { parameters.append(("cluster", cluster)) }
        for table in tables { parameters.append(("table", table)) }
        if let user { parameters.append(("user", user)) }
        target =
            "/tail"
            + (parameters.isEmpty
                ? "" : "?" + parameters.map { "\($0)=\(Self.percentEncoded($1))" }.joined(separator: "&"))
    }

    /// Everything but RFC 3986's unreserved characters as `%XX`.
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0xF)])
            }
        }
        return out
    }
}
