import SieveRedact
import Yams

/// Reads a `redact:` list (a sink's `redact`, `http: tail_redact`): `passwords`, `literals`,
/// `"re:PATTERN"`, each at most once, applied in the order given. `[]` is no redaction.
enum RedactionConfigReader {
    static func read(_ node: Node, _ what: String, reader: ConfigReader) -> Redaction? {
        guard let items = reader.sequence(node, what) else { return nil }
        var rules: [RedactionRule] = []
        for item in items {
            guard let entry = reader.string(item, "each entry of \(what)") else { continue }
            do {
                let rule = try RedactionRule(entry: entry)
                if rules.contains(rule) {
                    reader.fail(reader.line(item), "\(what): '\(entry)' is listed twice")
                } else {
                    rules.append(rule)
                }
            } catch {
                reader.fail(reader.line(item), "\(what): \(error)")
            }
        }
        return rules.isEmpty ? nil : Redaction(rules: rules)
    }
}
