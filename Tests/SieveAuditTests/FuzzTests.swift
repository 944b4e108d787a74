import SieveAudit
import Testing
import SieveTestSupport

/// Random and mutated inputs: no dialect and no split may crash or hang, and a record that claims
/// to be complete has every template field.
@Suite("Fuzzing")
struct FuzzTests {
    static let tokens: [String] = [
        "<AUDIT_RECORD>", "</AUDIT_RECORD>", "<AUDIT_RECORD", "/>", "<NAME>", "</NAME>", "NAME=", "\"", "\"\"", "=",
        "{\"audit_record\":{", "}}", "\"name\":", ":", ",", "&", "&#", "&#x", "&amp;", "#012", "#0", "\\u", "\\uD83D",
        "\\", "\n", "#### ", "Query", "Connect", "Audit", "0", "-", "\u{1}", " ",
    ]

    static func randomInput(using random: inout SeededRandom) -> [UInt8] {
        var bytes: [UInt8] = []
        for _ in 0..<Int.random(in: 0...40, using: &random) {
            if Bool.random(using: &random) {
                bytes += Array(tokens.randomElement(using: &random)!.utf8)
            } else {
                bytes.append(UInt8.random(in: 0...255, using: &random))
            }
        }
        return bytes
    }

    static func mutate(_ sample: [UInt8], using random: inout SeededRandom) -> [UInt8] {
        var bytes = sample
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let at = Int.random(in: 0...bytes.count, using: &random)
            switch Int.random(in: 0..<5, using: &random) {
            case 0 where at < bytes.count: bytes[at] = UInt8.random(in: 0...255, using: &random)
            case 1: bytes.insert(contentsOf: Array(tokens.randomElement(using: &random)!.utf8), at: at)
            case 2 where at < bytes.count:
                bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...8, using: &random)))
            case 3: bytes.removeSubrange(at...)
            default: bytes.insert(UInt8.random(in: 0...255, using: &random), at: at)
            }
        }
        return bytes
    }

    static func exercise(_ input: [UInt8]) {
        input.withUnsafeBytes { bytes in
            for dialect in AuditParser.percona {
                _ = dialect.recognizes(bytes)
                if case .success(let record) = dialect.parse(bytes), !record.truncated {
                    #expect(record.kind != nil && record.missingFields.isEmpty)
                }
            }
            var offset = 0
            while let chunk = AuditRecordSplitter.nextChunk(in: bytes, from: offset) {
                #expect(chunk.next > offset && chunk.next <= bytes.count)
                #expect(chunk.range.lowerBound >= offset && chunk.range.upperBound <= chunk.next)
                _ = AuditParser().parse(chunk, in: bytes)
                offset = chunk.next
            }
        }
    }

    @Test("3000 random inputs from a seeded token soup")
    func randomInputs() {
        var random = SeededRandom(seed: 0xF022)
        for _ in 0..<3000 { Self.exercise(Self.randomInput(using: &random)) }
    }

    @Test("3000 mutations of valid records")
    func mutations() throws {
        var samples = try TruncationTests.samples()
        samples += try Fixture.chunks("percona-plugin-old-xml.txt").map(\.bytes)
        var random = SeededRandom(seed: 0xF023)
        for _ in 0..<3000 {
            Self.exercise(Self.mutate(samples.randomElement(using: &random)!, using: &random))
        }
    }
}
