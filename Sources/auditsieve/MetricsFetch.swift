import Foundation
import SieveOps
import SievePipeline

#if canImport(Glibc)
    import Glibc
#endif

/// GET ENDPOINT/metrics over a plain socket (HTTP/1.0, loopback-style endpoints): enough for
/// `plan`, with no HTTP client library.
enum MetricsFetch {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func scrape(_ endpoint: String) throws -> PrometheusText {
        guard let url = URL(string: endpoint), url.scheme == "http", let host = url.host else {
            throw Failure(description: "--endpoint must be http://HOST:PORT, got \(endpoint)")
        }
        let port = url.port ?? 80
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var info: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &info) == 0, let first = info else {
            throw Failure(description: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(info) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            throw Failure(
                description:
                    "cannot reach \(endpoint): \(String(cString: strerror(errno))) (is auditsieve serving http.address there?)"
            )
        }
        let request = Array("GET /metrics HTTP/1.0\r\nHost: \(host)\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            response.append(contentsOf: buffer[0..<count])
        }
        let text = String(decoding: response, as: UTF8.self)
        guard text.hasPrefix("HTTP/1."), text.split(separator: " ").dropFirst().first == "200",
            let body = text.range(of: "\r\n\r\n")
        else {
            throw Failure(description: "\(endpoint)/metrics did not answer 200: \(text.prefix(80))")
        }
        return PrometheusText(String(text[body.upperBound...]))
    }
}
