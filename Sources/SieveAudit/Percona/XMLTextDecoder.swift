/// Decodes XML character data (NEW format element text, OLD format attribute values) straight into
/// a record. rsyslog's `#012` inside a value is text: the plugin writes a value's LF as `&#10;`.
enum XMLTextDecoder {
    /// Appends the unescaped bytes from the cursor up to `terminator` (`<` for element text, `"` for
    /// attribute values), leaving the cursor on it. Returns `false` when the message ends first; a
    /// partial reference or partial UTF-8 character at the cut is dropped.
    static func decode(
        _ cursor: inout ByteCursor, until terminator: UInt8, into record: inout AuditRecord, format: AuditFormat
    ) throws(AuditParseError) -> Bool {
        let bytes = cursor.bytes
        var index = cursor.position
        while true {
            let runStart = index
            while index < bytes.count, bytes[index] != terminator, bytes[index] != UInt8(ascii: "&") { index += 1 }
            if index == bytes.count {
                let keep = index - UTF8Bytes.incompleteSuffixLength(in: bytes, runStart..<index)
                record.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<keep]))
                cursor.position = index
                return false
            }
            if index > runStart { record.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<index])) }
            if bytes[index] == terminator {
                cursor.position = index
                return true
            }
            switch XMLEntity.scan(bytes, at: index) {
            case .scalar(let scalar, let length):
                UTF8Bytes.append(scalar, to: &record)
                index += length
            case .cut:
                cursor.position = bytes.count
                return false
            case .invalid(let reason):
                throw AuditParseError(.syntax, format: format, offset: index, reason)
            }
        }
    }
}
