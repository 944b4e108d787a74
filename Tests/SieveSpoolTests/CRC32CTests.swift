import Testing
@testable import SieveSpool

@Suite("CRC-32C")
struct CRC32CTests {
    @Test("matches the standard check value for \"123456789\"")
    func checkValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    @Test("slicing-by-8 agrees with the bitwise definition at every length and alignment")
    func agreesWithBitwise() {
        var bytes: [UInt8] = []
        var seed: UInt32 = 7
        for _ in 0..<300 {
            seed = seed &* 1_103_515_245 &+ 12345
            bytes.append(UInt8(truncatingIfNeeded: seed >> 16))
        }
        for start in 0..<9 {
            for end in stride(from: start, through: bytes.count, by: 7) {
                let slice = Array(bytes[start..<end])
                #expect(CRC32C.checksum(slice) == bitwise(slice))
            }
        }
    }

    @Test("a checksum continues across pieces")
    func continues() {
        let data = Array("the quick brown fox jumps over the lazy dog".utf8)
        let first = data.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<13])) }
        let whole = data.withUnsafeBytes {
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[13...]), continuing: first)
        }
        #expect(whole == CRC32C.checksum(data))
    }

    private func bitwise(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return ~crc
    }
}
