import Yams

/// Walks a composed YAML document and turns it into typed values, collecting every problem as a
/// `ConfigError` with its line instead of stopping at the first.
final class ConfigReader {
    /// A mapping's entries by key, with the lines to blame.
    struct Section {
        var line: Int
        var values: [String: Node]
        var keyLines: [String: Int]

        subscript(key: String) -> Node? { values[key] }
    }

    let file: String
    private(set) var errors: [ConfigError] = []

    init(file: String) { self.file = file }

    func fail(_ line: Int, _ message: String) {
        errors.append(ConfigError(file: file, line: line, message: message))
    }

    func line(_ node: Node?) -> Int { node?.mark?.line ?? 1 }

    /// A mapping with only `allowed` keys; an unknown key is an error naming the keys allowed.
    func section(_ node: Node, _ what: String, allowed: [String]) -> Section? {
        guard case .mapping(let mapping) = node else {
            fail(line(node), "\(what) must be a mapping of keys to values")
            return nil
        }
        var section = Section(line: line(node), values: [:], keyLines: [:])
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                fail(line(keyNode), "\(what): keys must be plain words")
                continue
            }
            let key = scalar.string
            if !allowed.contains(key) {
                fail(
                    line(keyNode), "\(what): unknown key '\(key)'; expected one of: \(allowed.joined(separator: ", "))")
                continue
            }
            if section.values[key] != nil {
                fail(line(keyNode), "\(what): key '\(key)' is given twice")
                continue
            }
            section.values[key] = value
            section.keyLines[key] = line(keyNode)
        }
        return section
    }

    func sequence(_ node: Node, _ what: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            fail(line(node), "\(what) must be a list")
            return nil
        }
        return Array(sequence)
    }

    func string(_ node: Node, _ what: String) -> String? {
        guard case .scalar(let scalar) = node else {
            fail(line(node), "\(what) must be a text value")
            return nil
        }
        return scalar.string
    }

    /// A file or directory path: a text value without NUL (a NUL would silently cut the path
    /// the system calls see).
    func path(_ node: Node, _ what: String) -> String? {
        guard let text = string(node, what) else { return nil }
        guard !text.utf8.contains(0) else {
            fail(line(node), "\(what) holds a NUL byte, which would cut the path short; remove it")
            return nil
        }
        return text
    }

    func strings(_ node: Node, _ what: String) -> [String]? {
        guard let items = sequence(node, what) else { return nil }
        return items.compactMap { string($0, "each entry of \(what)") }
    }

    func int(_ node: Node, _ what: String, range: ClosedRange<Int>) -> Int? {
        guard case .scalar(let scalar) = node, scalar.style == .plain, let value = Int(scalar.string) else {
            fail(line(node), "\(what) must be a whole number, e.g. 200")
            return nil
        }
        guard range.contains(value) else {
            fail(line(node), "\(what) must be between \(range.lowerBound) and \(range.upperBound); got \(value)")
            return nil
        }
        return value
    }

    func bool(_ node: Node, _ what: String) -> Bool? {
        guard case .scalar(let scalar) = node, scalar.style == .plain else {
            fail(line(node), "\(what) must be true or false")
            return nil
        }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            fail(line(node), "\(what) must be true or false")
            return nil
        }
    }

    func size(_ node: Node, _ what: String, range: ClosedRange<Int>) -> Int? {
        guard case .scalar(let scalar) = node, let value = ConfigValue.size(scalar.string) else {
            fail(line(node), "\(what) must be a size: bytes, or a number with B, KiB, MiB, GiB or TiB (e.g. 256KiB)")
            return nil
        }
        guard range.contains(value) else {
            let bound =
                value < range.lowerBound
                ? "at least \(ConfigValue.sizeText(range.lowerBound))"
                : "at most \(ConfigValue.sizeText(range.upperBound))"
            fail(line(node), "\(what) must be \(bound); got \(ConfigValue.sizeText(value))")
            return nil
        }
        return value
    }

    /// A cluster or sink name, which also names a spool directory (`SPOOL/CLUSTER/SINK`).
    func checkDirectoryName(_ name: String, _ what: String, line: Int) {
        guard !ConfigValue.isDirectoryName(name) else { return }
        let suggestion = ConfigValue.directoryNameSuggestion(name)
        let fix = ConfigValue.isDirectoryName(suggestion) ? "rename it, e.g. '\(suggestion)'" : "rename it"
        fail(
            line,
            "\(what) '\(name)' also names a spool directory: use only letters, digits, '_', '.' and '-', and not '.' or '..'; \(fix)"
        )
    }

    func durationMilliseconds(_ node: Node, _ what: String, minimum: Int, maximum: Int = 7 * 86_400_000) -> Int? {
        guard case .scalar(let scalar) = node, let value = ConfigValue.durationMilliseconds(scalar.string) else {
            fail(line(node), "\(what) must be a duration such as 500ms, 30s, 10m or 4h")
            return nil
        }
        guard value >= minimum else {
            fail(line(node), "\(what) must be at least \(minimum)ms")
            return nil
        }
        guard value <= maximum else {
            fail(line(node), "\(what) must be at most \(Self.durationText(maximum)); got \(scalar.string)")
            return nil
        }
        return value
    }

    /// `ms` in the largest unit that divides it exactly: 300000 → "5m", 604800000 → "7d".
    static func durationText(_ ms: Int) -> String {
        for (unit, size) in [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)]
        where ms >= size && ms % size == 0 {
            return "\(ms / size)\(unit)"
        }
        return "\(ms)ms"
    }

    func choice<Choice: RawRepresentable & CaseIterable>(_ node: Node, _ what: String, as: Choice.Type) -> Choice?
    where Choice.RawValue == String {
        guard let text = string(node, what) else { return nil }
        guard let value = Choice(rawValue: text) else {
            let options = Choice.allCases.map(\.rawValue).joined(separator: " | ")
            fail(line(node), "\(what) must be one of \(options); got '\(text)'")
            return nil
        }
        return value
    }
}
