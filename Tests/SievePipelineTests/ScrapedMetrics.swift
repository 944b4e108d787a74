import SieveOps

/// The Prometheus text exposition format as a test reads it, strictly (samples and `# TYPE` lines):
/// a parser of its own, so tests do not check `/metrics` with the product's `PrometheusText`.
struct ScrapedMetrics {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    var samples: [Sample] = []
    /// Metric name → `counter`, `gauge`, `histogram`.
    var types: [String: String] = [:]

    init(_ text: String) throws {
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4 else { throw HTTPTestError("bad TYPE line: \(line)") }
                guard types[String(parts[2])] == nil else { throw HTTPTestError("TYPE given twice: \(line)") }
                types[String(parts[2])] = String(parts[3])
                continue
            }
            if line.hasPrefix("#") { continue }
            samples.append(try Self.sample(Substring(line)))
        }
    }

    /// The value of the one sample with this name whose labels include `labels`; nil if none.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        let matching = samples.filter { sample in
            sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }
        return matching.count == 1 ? matching[0].value : matching.isEmpty ? nil : .nan
    }

    private static func sample(_ line: Substring) throws -> Sample {
        let nameEnd = line.firstIndex { $0 == "{" || $0 == " " } ?? line.endIndex
        let name = String(line[..<nameEnd])
        var labels: [String: String] = [:]
        var rest = line[nameEnd...]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                guard let equals = rest.firstIndex(of: "="), rest[rest.index(after: equals)] == "\"" else {
                    throw HTTPTestError("bad labels in: \(line)")
                }
                let key = String(rest[..<equals])
                rest = rest[rest.index(equals, offsetBy: 2)...]
                var value = ""
                while let character = rest.first, character != "\"" {
                    rest = rest.dropFirst()
                    if character == "\\", let escaped = rest.first {
                        rest = rest.dropFirst()
                        value.append(escaped == "n" ? "\n" : escaped)
                    } else {
                        value.append(character)
                    }
                }
                rest = rest.dropFirst()
                if rest.first == "," { rest = rest.dropFirst() }
                labels[key] = value
                guard !rest.isEmpty else { throw HTTPTestError("unterminated labels in: \(line)") }
            }
            rest = rest.dropFirst()
        }
        guard let value = Double(rest.trimmingPrefix(" ").split(separator: " ")[0]) else {
            throw HTTPTestError("bad value in: \(line)")
        }
        return Sample(name: name, labels: labels, value: value)
    }
}
