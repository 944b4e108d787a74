import SieveTestSupport
import Testing

@testable import SieveAudit

@Suite("JSON string scan, eight bytes at a time")
struct JSONStringScanTests {
    static let stops: Set<UInt8> = Set(0..<0x20).union([UInt8(ascii: "\""), UInt8(ascii: "\\")])

    static func word(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
    }

    @Test("every stop byte, at every position among plain bytes, is seen")
    func everyStopSeen() {
        for filler in [UInt8(ascii: "a"), 0x20, 0x7F, 0x80, 0xFF, UInt8(ascii: "#")] {
            #expect(!JSONStringDecoder.mayEndRun(Self.word(Array(repeating: filler, count: 8))), "\(filler)")
            for stop in Self.stops {
                for position in 0..<8 {
                    var bytes = Array(repeating: filler, count: 8)
                    bytes[position] = stop
                    #expect(
                        JSONStringDecoder.mayEndRun(Self.word(bytes)), "stop \(stop) at \(position) among \(filler)")
                }
            }
        }
    }

    @Test("random words: a word said to hold no stop holds none")
    func noFalseNegatives() {
        var random = SeededRandom(seed: 12)
        for _ in 0..<200_000 {
            let bytes = (0..<8).map { _ in UInt8.random(in: 0...255, using: &random) }
            if !JSONStringDecoder.mayEndRun(Self.word(bytes)) {
                #expect(bytes.allSatisfy { !Self.stops.contains($0) }, "\(bytes)")
            }
        }
    }

    @Test("strings of every length up to 40 with an escape anywhere decode as the byte walk did")
    func decodesAroundWordEdges() throws {
        for length in 0...40 {
            for escapeAt in [nil] + (0..<length).map(Optional.some) {
                var text = (0..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
                var expected = text
                if let escapeAt {
                    text[escapeAt] = UInt8(ascii: "\\")
                    text.insert(UInt8(ascii: "n"), at: escapeAt + 1)
                    expected[escapeAt] = 0x0A
                }
                let json = JSONDialectTests.connect(
                    replacing: #""host":"h""#, with: "\"host\":\"" + String(decoding: text, as: UTF8.self) + "\"")
                let record = try parse(json).get()
                #expect(
                    record.string(.host) == String(decoding: expected, as: UTF8.self),
                    "length \(length), escape at \(String(describing: escapeAt))")
            }
        }
    }
}
