/// A shell-style glob over bytes: `*` any run (also empty), `?` any one byte, everything else
/// itself (ASCII-case-folded when not case-sensitive). Linear matching with one backtracking
/// point (the classic two-pointer method); allocates nothing per match.
public struct Glob: Sendable, Hashable {
    public let pattern: [UInt8]
    public let caseSensitive: Bool

    public init(_ pattern: String, caseSensitive: Bool = true) {
        self.caseSensitive = caseSensitive
        self.pattern = caseSensitive ? Array(pattern.utf8) : Array(pattern.utf8).map(Glob.lower)
    }

    /// True when the pattern has no `*` or `?`: it can be matched by equality.
    public var isLiteral: Bool { !pattern.contains(UInt8(ascii: "*")) && !pattern.contains(UInt8(ascii: "?")) }

    public func matches(_ text: UnsafeRawBufferPointer) -> Bool {
        var p = 0
        var t = 0
        var starP = -1
        var starT = 0
        while t < text.count {
            let byte = caseSensitive ? text[t] : Glob.lower(text[t])
            if p < pattern.count && (pattern[p] == UInt8(ascii: "?") || pattern[p] == byte) {
                p += 1
                t += 1
            } else if p < pattern.count && pattern[p] == UInt8(ascii: "*") {
                starP = p
                starT = t
                p += 1
            } else if starP >= 0 {
                p = starP + 1
                starT += 1
                t = starT
            } else {
                return false
            }
        }
        while p < pattern.count && pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }

    public func matches(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { matches(UnsafeRawBufferPointer($0)) }
    }

    @inline(__always)
    static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }
}
