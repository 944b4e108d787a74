/// Names and the 16-byte header of segment files.
///
/// A segment is `<id>.seg` with a 20-digit zero-padded decimal id, so names sort in id order.
/// Ids only grow; the writer never reuses one. The header is `"ASPL"`, u16 version, u16 zero,
/// u64 id (little-endian); blocks (`BlockHeader`) follow back to back.
enum SegmentFormat {
    static let headerSize = 16
    static let version: UInt16 = 1
    static let magic: [UInt8] = Array("ASPL".utf8)
    static let suffix = ".seg"
    /// A quarantined copy of a segment that held corrupt bytes.
    static let corruptSuffix = ".corrupt"
    /// The file holding the reader's position inside the oldest segment.
    static let readPositionName = "read-position"
    /// The advisory lock file held by the process that owns the queue.
    static let lockName = "lock"

    static func fileName(for id: UInt64) -> String {
        let digits = String(id)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + suffix
    }

    /// The id of a segment file name, or nil for any other file.
    static func id(fromFileName name: String) -> UInt64? {
        guard name.hasSuffix(suffix) else { return nil }
        let digits = name.dropLast(suffix.count)
        guard digits.count == 20, digits.allSatisfy(\.isASCII) else { return nil }
        return UInt64(digits)
    }

    static func header(for id: UInt64) -> [UInt8] {
        var bytes = magic + [UInt8](repeating: 0, count: headerSize - magic.count)
        bytes.withUnsafeMutableBytes { raw in
            raw.storeLittleEndian(version, at: 4)
            raw.storeLittleEndian(id, at: 8)
        }
        return bytes
    }

    static func hasValidHeader(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= headerSize && bytes.prefix(4).elementsEqual(magic)
            && (bytes.loadLittleEndian(at: 4) as UInt16) == version
    }
}
