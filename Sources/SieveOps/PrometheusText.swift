/// The samples of a Prometheus text exposition, for `auditsieve plan` (which reads a running
/// server's `/metrics`). Only what plan needs: `name{a="x",b="y"} value` lines; comments skipped.
public struct PrometheusText: Sendable {
    public struct Sample: Sendable, Equatable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    public var samples: [Sample] = []

    public init(_ text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.isEmpty {
            guard let sample = Self.parse(line) else { continue }
            samples.append(sample)
        }
    }

    /// Sum of `name` over the samples whose labels include `matching`.
    public func sum(_ name: String, matching: [String: String] = [:]) -> Double {
        samples.filter { sample in sample.name == name && matching.allSatisfy { sample.labels[$0.key] == $0.value } }
            .reduce(0) { $0 + $1.value }
    }

    /// The values a label takes on `name`.
    /// The values `label` takes on the samples of `name` that carry every `matching` pair.
    public func labelValues(_ name: String, label: String, matching: [String: String] = [:]) -> [String] {
        let values = samples.filter { sample in
            sample.name == name && matching.allSatisfy { sample.labels[$0.key] == $0.value }
        }.compactMap { $0.labels[label] }
        return Array(Set(values)).sorted()
    }

    private static func parse(_ line: Substring) -> Sample? {
        var labels: [String: String] = [:]
        let name: Substring
        var rest: Substring
        if let brace = line.firstIndex(of: "{") {
            name = line[..<brace]
            guard let close = line.lastIndex(of: "}") else { return nil }
            var body = line[line.index(after: brace)..<close]
            while let equals = body.firstIndex(of: "=") {
                let key = body[..<equals].trimmingCharacters(in: [" ", ","])
                var cursor = body.index(after: equals)
                guard cursor < body.endIndex, body[cursor] == "\"" else { return nil }
                cursor = body.index(after: cursor)
                var value = ""
                while cursor < body.endIndex, body[cursor] != "\"" {
                    if body[cursor] == "\\", body.index(after: cursor) < body.endIndex {
                        cursor = body.index(after: cursor)
                    }
                    value.append(body[cursor])
                    cursor = body.index(after: cursor)
                }
                labels[String(key)] = value
                body = cursor < body.endIndex ? body[body.index(after: cursor)...] : ""
            }
            rest = line[line.index(after: close)...]
        } else {
            guard let space = line.firstIndex(of: " ") else { return nil }
            name = line[..<space]
            rest = line[space...]
        }
        guard let value = rest.split(separator: " ").first.flatMap({ Double($0) }) else { return nil }
        return Sample(name: String(name), labels: labels, value: value)
    }
}

private extension Substring {
    func trimmingCharacters(in set: Set<Character>) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
