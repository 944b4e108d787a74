/// The `host` label of a source: the syslog HOSTNAME (or the sender's address) as a bounded,
/// safe label value. A name of 1 to 64 bytes of `A-Z a-z 0-9 . - _ : [ ]` is used as it is (every
/// real host name and address); anything else (too long, or other bytes) becomes its first 40
/// bytes with the others replaced by `_`, then `~` and 16 hex digits of a 64-bit FNV-1a hash of the
/// whole name: at most 57 bytes, distinct names stay distinct, the same name gives the same label
/// after a restart. So a sender cannot make a label (or `/metrics`) large, whatever its header says.
enum SourceLabel {
    static let maxPlainBytes = 64
    static let keptPrefixBytes = 40

    static func make(_ name: UnsafeRawBufferPointer) -> String {
        if (1...maxPlainBytes).contains(name.count), name.allSatisfy(isLabelByte) {
            return String(decoding: name, as: UTF8.self)
        }
        var label = name.prefix(keptPrefixBytes).map { isLabelByte($0) ? $0 : UInt8(ascii: "_") }
        label.append(UInt8(ascii: "~"))
        let hash = fnv1a(name)
        for shift in stride(from: 60, through: 0, by: -4) {
            label.append(hexDigits[Int((hash >> UInt64(shift)) & 0xF)])
        }
        return String(decoding: label, as: UTF8.self)
    }

    static func make(_ name: [UInt8]) -> String { name.withUnsafeBytes { make($0) } }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func isLabelByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "["),
            UInt8(ascii: "]"):
            true
        default:
            false
        }
    }

    private static func fnv1a(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return hash
    }
}
