import Foundation
import SieveEvent
import Testing
import SieveTestSupport

/// What `JSONStringWriter` must write for `bytes` (docs/EVENT.md "Text encoding"), computed
/// independently: the standard library's UTF-8 parser decides what is a well-formed sequence; each
/// byte that does not start one becomes U+FFFD.
func expectedJSONContents(_ bytes: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    var index = 0
    while index < bytes.count {
        let byte = bytes[index]
        if byte < 0x80 {
            switch byte {
            case 0x22: out += Array(#"\""#.utf8)
            case 0x5C: out += Array(#"\\"#.utf8)
            case 0x0A: out += Array(#"\n"#.utf8)
            case 0x0D: out += Array(#"\r"#.utf8)
            case 0x09: out += Array(#"\t"#.utf8)
            case 0x08: out += Array(#"\b"#.utf8)
            case 0x0C: out += Array(#"\f"#.utf8)
            case ..<0x20: out += Array(String(format: "\\u%04X", Int(byte)).utf8)
            default: out.append(byte)
            }
            index += 1
            continue
        }
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes[index...].makeIterator()
        if case .valid(let encoded) = parser.parseScalar(from: &iterator) {
            out += Array(encoded)
            index += encoded.count
        } else {
            out += [0xEF, 0xBF, 0xBD]
            index += 1
        }
    }
    return out
}

func quoted(_ bytes: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    bytes.withUnsafeBytes { JSONStringWriter.writeQuoted($0, into: &out) }
    return out
}

/// The string Foundation reads back from a written JSON string.
func decoded(_ json: [UInt8]) throws -> String {
    let value = try foundationJSON(Array("[".utf8) + json + Array("]".utf8))
    let array = try #require(value as? [Any])
    return try #require(array.first as? String)
}

@Suite("JSONStringWriter")
struct JSONStringWriterTests {
    @Test("each byte value 0...255 alone is written as documented and parses")
    func everyByteAlone() throws {
        for value in 0...255 {
            let byte = UInt8(value)
            let out = quoted([byte])
            #expect(out == [0x22] + expectedJSONContents([byte]) + [0x22], "byte 0x\(String(value, radix: 16))")
            let text = try decoded(out)
            let scalar: Unicode.Scalar = byte < 0x80 ? Unicode.Scalar(byte) : "\u{FFFD}"
            #expect(text.unicodeScalars.elementsEqual([scalar]), "byte 0x\(String(value, radix: 16))")
        }
    }

    @Test("each byte value in context: between ASCII, and between multi-byte characters")
    func everyByteInContext() throws {
        let contexts: [([UInt8], [UInt8])] = [
            (Array("a".utf8), Array("b".utf8)),
            (Array("é".utf8), Array("€".utf8)),
            (Array("𦉘".utf8), Array("ก".utf8)),
            (Array("\"".utf8), Array("\\".utf8)),
        ]
        for (before, after) in contexts {
            for value in 0...255 {
                let input = before + [UInt8(value)] + after
                let out = quoted(input)
                #expect(out == [0x22] + expectedJSONContents(input) + [0x22], "\(input)")
                let text = try decoded(out)
                let middle: String = value < 0x80 ? String(UnicodeScalar(UInt8(value))) : "\u{FFFD}"
                let expected = String(decoding: before, as: UTF8.self) + middle + String(decoding: after, as: UTF8.self)
                #expect(Array(text.utf8) == Array(expected.utf8), "\(input)")
            }
        }
    }

    @Test("control characters, quote and backslash are escaped as documented; / and DEL are not")
    func escapes() {
        let cases: [(UInt8, String)] = [
            (0x00, #"\u0000"#), (0x01, #"\u0001"#), (0x07, #"\u0007"#), (0x08, #"\b"#), (0x09, #"\t"#),
            (0x0A, #"\n"#), (0x0B, #"\u000B"#), (0x0C, #"\f"#), (0x0D, #"\r"#), (0x0E, #"\u000E"#),
            (0x1B, #"\u001B"#), (0x1F, #"\u001F"#), (0x22, #"\""#), (0x5C, #"\\"#), (0x2F, "/"), (0x7F, "\u{7F}"),
            (0x20, " "), (0x27, "'"), (0x3C, "<"), (0x26, "&"),
        ]
        for (byte, escaped) in cases {
            #expect(quoted([byte]) == Array("\"\(escaped)\"".utf8), "byte \(byte)")
        }
        #expect(quoted(Array("a/b</script>".utf8)).text == #""a/b</script>""#)
    }

    @Test("valid UTF-8, including 4-byte characters and the boundary scalars, is copied byte for byte")
    func validUTF8RoundTrips() throws {
        let samples = [
            "", "plain ASCII", "ąžąžąžą", "ฐานข้อมูล", "กงเกวียนกำเกวียน", "𦉘𦟌𦧲", "日本語テキスト", "emoji 😀👍🏽",
            "\u{80}\u{7FF}\u{800}\u{D7FF}\u{E000}\u{FFFD}\u{FFFF}\u{10000}\u{10FFFF}", "\u{2028}\u{2029}\u{FEFF}",
            "e\u{301} combining", "mix \"quoted\" \\ back\tslash\n",
        ]
        for sample in samples {
            let bytes = Array(sample.utf8)
            let out = quoted(bytes)
            #expect(out == [0x22] + expectedJSONContents(bytes) + [0x22])
            let text = try decoded(out)
            #expect(Array(text.utf8) == bytes, "\(sample)")
            if !sample.contains(where: { $0.isASCII && ($0 == "\"" || $0 == "\\" || $0.asciiValue! < 0x20) }) {
                #expect(Array(out.dropFirst().dropLast()) == bytes, "copied as is: \(sample)")
            }
        }
    }

    @Test(
        "ill-formed UTF-8 becomes one U+FFFD per byte and the output is still valid JSON",
        arguments: [
            ([0x80], "\u{FFFD}"),  // lone continuation
            ([0xBF, 0x41], "\u{FFFD}A"),
            ([0xC0, 0x80], "\u{FFFD}\u{FFFD}"),  // overlong NUL
            ([0xC1, 0xBF], "\u{FFFD}\u{FFFD}"),  // overlong
            ([0xE0, 0x80, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}"),  // overlong 3-byte
            ([0xE0, 0x9F, 0xBF], "\u{FFFD}\u{FFFD}\u{FFFD}"),
            ([0xF0, 0x80, 0x80, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"),  // overlong 4-byte
            ([0xF0, 0x8F, 0xBF, 0xBF], "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"),
            ([0xED, 0xA0, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}"),  // high surrogate
            ([0xED, 0xBF, 0xBF], "\u{FFFD}\u{FFFD}\u{FFFD}"),  // low surrogate
            ([0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80], String(repeating: "\u{FFFD}", count: 6)),  // CESU-8 pair
            ([0xF4, 0x90, 0x80, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"),  // above U+10FFFF
            ([0xF5, 0x80, 0x80, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"),
            ([0xFE], "\u{FFFD}"), ([0xFF, 0xFE], "\u{FFFD}\u{FFFD}"),
            ([0x41, 0xC3], "A\u{FFFD}"),  // truncated 2-byte at the end
            ([0x41, 0xE2, 0x82], "A\u{FFFD}\u{FFFD}"),  // truncated 3-byte at the end
            ([0x41, 0xF0, 0x9F, 0x98], "A\u{FFFD}\u{FFFD}\u{FFFD}"),  // truncated 4-byte at the end
            ([0xE2, 0x82, 0x41], "\u{FFFD}\u{FFFD}A"),  // truncated in the middle
            ([0xF0, 0x9F, 0x98, 0xF0, 0x9F, 0x98, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}😀"),
            ([0xC3, 0x22], "\u{FFFD}\""), ([0xE2, 0x0A], "\u{FFFD}\n"),
            ([0xD9, 0x81, 0x8F, 0xED], "ف\u{FFFD}\u{FFFD}"),  // cp1256-ish bytes after valid Arabic
        ] as [([UInt8], String)]
    )
    func illFormed(_ input: [UInt8], _ expected: String) throws {
        let out = quoted(input)
        #expect(out == [0x22] + expectedJSONContents(input) + [0x22])
        #expect(String(validating: out, as: UTF8.self) != nil, "the output is UTF-8")
        #expect(Array(try decoded(out).utf8) == Array(expected.utf8))
    }

    @Test("the String, Collection and raw-buffer entry points write the same bytes")
    func entryPointsAgree() {
        let text = "SELECT \"x\"\n\t'ąž' 😀 \u{1}"
        let bytes = Array(text.utf8)
        var fromString: [UInt8] = []
        JSONStringWriter.writeQuoted(text, into: &fromString)
        var fromArray: [UInt8] = []
        JSONStringWriter.writeQuoted(bytes, into: &fromArray)
        var fromSlice: [UInt8] = []
        JSONStringWriter.writeQuoted(bytes[...], into: &fromSlice)
        var fromNonContiguous: [UInt8] = []
        JSONStringWriter.writeQuoted(bytes.lazy.map { $0 }, into: &fromNonContiguous)
        let reference = quoted(bytes)
        #expect(fromString == reference)
        #expect(fromArray == reference)
        #expect(fromSlice == reference)
        #expect(fromNonContiguous == reference)
        var unquoted: [UInt8] = Array("prefix:".utf8)
        bytes.withUnsafeBytes { JSONStringWriter.write($0, into: &unquoted) }
        #expect(unquoted == Array("prefix:".utf8) + reference.dropFirst().dropLast(), "write appends without quotes")
    }

    @Test("a byte to escape or a non-ASCII sequence at every offset of plain runs up to 40 bytes is seen")
    func everyStopAtEveryOffset() {
        // The writer skips plain ASCII eight bytes at a time: a stop in any lane of any word, and
        // in the tail shorter than a word, must still be written as the reference says.
        let stops: [[UInt8]] =
            (0..<0x20).map { [UInt8($0)] } + [[0x22], [0x5C], [0x80], [0xFF], Array("é".utf8), Array("😀".utf8)]
        for length in 1...40 {
            for offset in 0..<length {
                for stop in stops {
                    var input = Array(repeating: UInt8(ascii: "a"), count: length)
                    input.replaceSubrange(offset..<offset + 1, with: stop)
                    #expect(quoted(input) == [0x22] + expectedJSONContents(input) + [0x22], "\(input)")
                }
            }
        }
    }

    @Test("seeded random byte strings: output parses, matches the reference, valid UTF-8 round-trips")
    func randomProperty() throws {
        let seed: UInt64 = 0x5EED_2026_1122
        var random = SeededRandom(seed: seed)
        let pieces: [[UInt8]] = [
            Array("a".utf8), Array("é".utf8), Array("€".utf8), Array("😀".utf8), Array("ฐ".utf8), [0x22], [0x5C],
            [0x0A], [0x00], [0x7F], [0x80], [0xC3], [0xE2, 0x82], [0xF0, 0x9F], [0xED, 0xA0, 0x80],
            [0xF4, 0x90, 0x80, 0x80],
        ]
        var validSeen = 0
        for iteration in 0..<6000 {
            let length = Int.random(in: 0...48, using: &random)
            var input: [UInt8] = []
            let mode = iteration % 3
            while input.count < length {
                switch mode {
                case 0: input.append(UInt8.random(in: 0...255, using: &random))
                case 1: input += pieces.randomElement(using: &random)!
                default:
                    // Valid text: random scalars from every UTF-8 length class.
                    let ranges: [ClosedRange<UInt32>] = [
                        0x00...0x7F, 0x80...0x7FF, 0x800...0xD7FF, 0xE000...0xFFFF, 0x10000...0x10FFFF,
                    ]
                    let scalar = Unicode.Scalar(
                        UInt32.random(in: ranges.randomElement(using: &random)!, using: &random))!
                    input += Array(String(Character(scalar)).utf8)
                }
            }
            let out = quoted(input)
            let message = "seed \(seed) iteration \(iteration) input \(input)"
            #expect(out == [0x22] + expectedJSONContents(input) + [0x22], "\(message)")
            let text = try decoded(out)
            if String(validating: input, as: UTF8.self) != nil {
                validSeen += 1
                #expect(Array(text.utf8) == input, "\(message)")
            } else {
                #expect(text.unicodeScalars.contains("\u{FFFD}"), "\(message)")
            }
        }
        #expect(validSeen > 2000)
    }
}
