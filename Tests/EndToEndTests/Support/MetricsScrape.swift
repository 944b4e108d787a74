import Foundation

/// One `GET /metrics` from a running server's HTTP endpoint: the sample lines, parsed just enough
/// to read a value by name and labels.
struct MetricsScrape {
    /// `name{labels}` (as written, labels in the server's order) → value.
    let samples: [(series: String, value: Double)]

    init(httpPort: Int) throws {
        let connection = try TCPConnection(port: httpPort)
        defer { connection.close() }
        try connection.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        let text = String(decoding: try connection.readToEnd(), as: UTF8.self)
        guard text.hasPrefix("HTTP/1.1 200"), let body = text.range(of: "\r\n\r\n") else {
            throw TestFailure("/metrics answered: \(text.prefix(200))")
        }
        // The body may be chunked: sample lines are the ones starting with a metric name.
        samples = text[body.upperBound...].split(separator: "\n").compactMap { line in
            guard line.hasPrefix("auditsieve_"), let space = line.lastIndex(of: " "),
                let value = Double(line[line.index(after: space)...])
            else { return nil }
            return (String(line[..<space]), value)
        }
    }

    /// The sum over the series of `name` whose labels include every `labels` pair.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double {
        samples.filter { sample in
            let series = sample.series
            guard series == name || series.hasPrefix(name + "{") else { return false }
            return labels.allSatisfy { series.contains(#"\#($0.key)="\#($0.value)""#) }
        }.reduce(0) { $0 + $1.value }
    }
}
