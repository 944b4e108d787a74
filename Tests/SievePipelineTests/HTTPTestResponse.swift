import Foundation

/// A response as far as it has arrived: status, headers, and the body with chunked transfer
/// encoding undone (complete chunks only).
struct HTTPTestResponse {
    var status: Int
    /// Names lowercased.
    var headers: [String: String]
    var body: [UInt8]
    /// For a chunked body: the last (empty) chunk arrived.
    var ended = false

    var text: String { String(decoding: body, as: UTF8.self) }
    /// Complete lines of the body.
    var lines: [String] {
        guard let lastLF = body.lastIndex(of: UInt8(ascii: "\n")) else { return [] }
        return String(decoding: body[...lastLF], as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// `nil` until the whole head arrived.
    init?(_ bytes: [UInt8]) {
        let separator = Array("\r\n\r\n".utf8)
        guard let end = bytes.indices.first(where: { bytes[$0...].starts(with: separator) }) else { return nil }
        let head = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { return nil }
        self.status = status
        headers = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        let rest = Array(bytes[(end + separator.count)...])
        if headers["transfer-encoding"] == "chunked" {
            (body, ended) = Self.dechunk(rest)
        } else {
            body = rest
        }
    }

    private static func dechunk(_ bytes: [UInt8]) -> ([UInt8], Bool) {
        var body: [UInt8] = []
        var index = 0
        let crlf = Array("\r\n".utf8)
        while let lineEnd = bytes[index...].indices.first(where: { bytes[$0...].starts(with: crlf) }) {
            let sizeText = String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";")[0]
            guard let size = Int(sizeText, radix: 16) else { break }
            if size == 0 { return (body, true) }
            let start = lineEnd + 2
            guard bytes.count >= start + size + 2 else { break }
            body.append(contentsOf: bytes[start..<start + size])
            index = start + size + 2
        }
        return (body, false)
    }
}
