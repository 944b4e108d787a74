/// An RFC 8259 validator that also refuses an object naming a member twice. The event encoder's
/// output is checked with it rather than Foundation's parser, which accepts duplicates silently.
struct StrictJSON {
    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0
    private let allowDuplicateNames: Bool

    init(_ bytes: [UInt8], allowDuplicateNames: Bool = false) {
        self.bytes = bytes
        self.allowDuplicateNames = allowDuplicateNames
    }

    /// `nil` when the text is exactly one object (and whitespace); else what is wrong, with its offset.
    mutating func validateObject() -> String? {
        skipSpace()
        guard peek == UInt8(ascii: "{") else { return "no object at \(index)" }
        if let error = value() { return error }
        skipSpace()
        return index == bytes.count ? nil : "trailing bytes at \(index)"
    }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipSpace() {
        while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    private mutating func value() -> String? {
        skipSpace()
        switch peek {
        case UInt8(ascii: "{"): return object()
        case UInt8(ascii: "["): return array()
        case UInt8(ascii: "\""):
            var ignored: [UInt8] = []
            return string(into: &ignored)
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        case .some(let byte) where byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte):
            return number()
        default: return "no value at \(index)"
        }
    }

    private mutating func object() -> String? {
        depth += 1
        defer { depth -= 1 }
        guard depth < 64 else { return "nested too deep at \(index)" }
        index += 1
        var names: Set<[UInt8]> = []
        skipSpace()
        if peek == UInt8(ascii: "}") {
            index += 1
            return nil
        }
        while true {
            skipSpace()
            let start = index
            guard peek == UInt8(ascii: "\"") else { return "no member name at \(index)" }
            var name: [UInt8] = []
            if let error = string(into: &name) { return error }
            guard names.insert(name).inserted || allowDuplicateNames else {
                return "member \(String(decoding: name, as: UTF8.self).debugDescription) twice (at \(start))"
            }
            skipSpace()
            guard peek == UInt8(ascii: ":") else { return "no ':' at \(index)" }
            index += 1
            if let error = value() { return error }
            skipSpace()
            switch peek {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return nil
            default: return "no ',' or '}' at \(index)"
            }
        }
    }

    private mutating func array() -> String? {
        depth += 1
        defer { depth -= 1 }
        guard depth < 64 else { return "nested too deep at \(index)" }
        index += 1
        skipSpace()
        if peek == UInt8(ascii: "]") {
            index += 1
            return nil
        }
        while true {
            if let error = value() { return error }
            skipSpace()
            switch peek {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return nil
            default: return "no ',' or ']' at \(index)"
            }
        }
    }

    /// A string; its raw (still escaped) bytes go to `raw`, enough to compare member names.
    private mutating func string(into raw: inout [UInt8]) -> String? {
        index += 1
        while let byte = peek {
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return nil
            case UInt8(ascii: "\\"):
                guard let escaped = peek else { return "string ends in an escape at \(index)" }
                index += 1
                raw.append(byte)
                raw.append(escaped)
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    continue
                case UInt8(ascii: "u"):
                    for _ in 0..<4 {
                        guard let hex = peek, hex.isHexDigit else { return "bad \\u escape at \(index)" }
                        raw.append(hex)
                        index += 1
                    }
                default: return "bad escape at \(index - 1)"
                }
            case 0..<0x20: return "control byte in a string at \(index - 1)"
            default: raw.append(byte)
            }
        }
        return "unterminated string at \(index)"
    }

    private mutating func literal(_ word: StaticString) -> String? {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count,
            word.withUTF8Buffer({ $0.elementsEqual(bytes[index..<(index + count)]) })
        else { return "bad literal at \(index)" }
        index += count
        return nil
    }

    private mutating func number() -> String? {
        let start = index
        if peek == UInt8(ascii: "-") { index += 1 }
        guard let first = peek, first.isDigit else { return "bad number at \(start)" }
        index += 1
        if first == UInt8(ascii: "0"), let next = peek, next.isDigit { return "leading zero at \(start)" }
        while let byte = peek, byte.isDigit { index += 1 }
        if peek == UInt8(ascii: ".") {
            index += 1
            guard let byte = peek, byte.isDigit else { return "bad fraction at \(start)" }
            while let byte = peek, byte.isDigit { index += 1 }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard let byte = peek, byte.isDigit else { return "bad exponent at \(start)" }
            while let byte = peek, byte.isDigit { index += 1 }
        }
        return nil
    }
}

extension UInt8 {
    fileprivate var isDigit: Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) }
    fileprivate var isHexDigit: Bool {
        isDigit || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(self)
    }
}
