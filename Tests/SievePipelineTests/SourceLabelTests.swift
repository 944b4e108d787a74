import Testing

@testable import SievePipeline

@Suite("source host labels are bounded and safe")
struct SourceLabelTests {
    @Test("real host names and addresses are kept as they are")
    func plain() {
        for name in ["db-billing-1", "db1.example.com", "10.0.0.5", "[::1]", "fd00::1", "DB_7"] {
            #expect(SourceLabel.make(Array(name.utf8)) == name)
        }
    }

    @Test("a long name becomes a 40-byte prefix, ~ and a 64-bit hash: bounded, distinct, stable")
    func long() {
        let a = [UInt8](repeating: UInt8(ascii: "x"), count: 200_000)
        var b = a
        b[199_999] = UInt8(ascii: "y")
        let labelA = SourceLabel.make(a)
        #expect(labelA.utf8.count == 57)
        #expect(labelA.hasPrefix(String(repeating: "x", count: 40) + "~"))
        #expect(SourceLabel.make(b) != labelA, "names differing at the end stay distinct")
        #expect(SourceLabel.make(a) == labelA, "the same name gives the same label")
    }

    @Test("bytes a label cannot hold are replaced, and the label is hashed")
    func unsafeBytes() {
        let label = SourceLabel.make(Array("db\"1\n{x=\"y\"}".utf8) + [0xFF, 0x00])
        #expect(!label.contains("\"") && !label.contains("\n") && !label.contains("{"))
        #expect(label.contains("~"))
        #expect(SourceLabel.make([]).hasPrefix("~"))
    }
}
