/// Parsers for the config's value syntaxes: sizes (`256KiB`) and durations (`10m`).
public enum ConfigValue {
    private static let sizeUnits: [String: Int] = [
        "": 1, "B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40,
        "KB": 1000, "MB": 1_000_000, "GB": 1_000_000_000, "TB": 1_000_000_000_000,
    ]
    private static let durationUnits: [String: Int] = [
        "ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000,
    ]

    /// Bytes, or a number with a unit: `B`, `KiB`, `MiB`, `GiB`, `TiB` (powers of 1024), and
    /// `KB`, `MB`, `GB`, `TB` (powers of 1000). `nil` when malformed or out of range.
    public static func size(_ text: String) -> Int? { number(text, units: sizeUnits) }

    /// A duration in milliseconds from `500ms`, `30s`, `10m`, `4h`, `1d`. `nil` when malformed.
    public static func durationMilliseconds(_ text: String) -> Int? { number(text, units: durationUnits) }

    /// `64KiB`, `1GiB`: the largest binary unit that divides `bytes` exactly; plain bytes otherwise.
    public static func sizeText(_ bytes: Int) -> String {
        for (unit, multiplier) in [("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        where bytes != 0 && bytes % multiplier == 0 {
            return "\(bytes / multiplier)\(unit)"
        }
        return "\(bytes) bytes"
    }

    /// Whether `name` can be a directory name of its own: one or more of `A-Z a-z 0-9 _ . -`,
    /// and not `.` or `..`. Cluster and sink names become `SPOOL/CLUSTER/SINK`.
    public static func isDirectoryName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && name.allSatisfy(directoryNameCharacters.contains)
    }

    /// `name` with every character `isDirectoryName` refuses replaced by `_`: a rename to suggest.
    static func directoryNameSuggestion(_ name: String) -> String {
        String(name.map { directoryNameCharacters.contains($0) ? $0 : "_" })
    }

    private static let directoryNameCharacters = Set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")

    /// Whole digits, optional spaces, then one of `units`; the product, or `nil` on overflow.
    private static func number(_ text: String, units: [String: Int]) -> Int? {
        let trimmed = text.trimmingSpaces
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let number = Int(digits),
            let multiplier = units[trimmed.dropFirst(digits.count).trimmingSpaces]
        else { return nil }
        let (product, overflow) = number.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces; one pass over the UTF-8 bytes.
    package var trimmingSpaces: String {
        let bytes = Substring(self).utf8
        guard let first = bytes.firstIndex(where: { $0 != UInt8(ascii: " ") }) else { return "" }
        let last = bytes.lastIndex(where: { $0 != UInt8(ascii: " ") })!
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
