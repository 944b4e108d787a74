import SieveAudit

/// `,"key":` for every record field, back to back in one buffer built once, so the encoder
/// appends a field's key as a slice of that buffer: no array per key, nothing retained per field.
struct JSONFieldKeys: Sendable {
    static let shared = JSONFieldKeys()

    let bytes: [UInt8]
    /// Where field `rawValue`'s key starts in `bytes`; it ends where the next one starts.
    private let starts: InlineArray<29, UInt16>

    private init() {
        var bytes: [UInt8] = []
        var starts = InlineArray<29, UInt16>(repeating: 0)
        for field in AuditField.allCases {
            starts[Int(field.rawValue)] = UInt16(bytes.count)
            bytes.append(contentsOf: ",\"\(field.key)\":".utf8)
        }
        starts[AuditField.allCases.count] = UInt16(bytes.count)
        self.bytes = bytes
        self.starts = starts
    }

    /// `,"key":` of `field`, from `table` (`bytes`, borrowed for the whole record).
    @inline(__always)
    func key(_ field: AuditField, in table: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        let index = Int(field.rawValue)
        return UnsafeBufferPointer(rebasing: table[Int(starts[index])..<Int(starts[index + 1])])
    }
}
