/// Decodes one quoted CSV value straight into a record: `""` stands for `"`, and rsyslog's
/// `#000`…`#037` stand for the control character (the plugin writes LF, TAB, CR raw inside CSV
/// values, and rsyslog escapes them). A literal `#012` typed in SQL therefore reads as LF: the
/// loss docs/FORMATS.md §2.5 documents.
enum CSVFieldDecoder {
    /// Appends the value whose opening quote is at the cursor and moves past its closing quote.
    /// Returns `false` when the message ends inside the value; a partial escape or partial UTF-8
    /// character at the cut is dropped. A `"` that ends the message closes the value.
    static func decode(_ cursor: inout ByteCursor, into record: inout AuditRecord) -> Bool {
        let bytes = cursor.bytes
        var index = cursor.position + 1
        while true {
            let runStart = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "#") {
                index += 1
            }
            if index == bytes.count {
                let keep = index - UTF8Bytes.incompleteSuffixLength(in: bytes, runStart..<index)
                record.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<keep]))
                cursor.position = index
                return false
            }
            if index > runStart { record.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<index])) }
            if bytes[index] == UInt8(ascii: "\"") {
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") {
                    record.append(UInt8(ascii: "\""))
                    index += 2
                    continue
                }
                cursor.position = index + 1
                return true
            }
            switch RsyslogEscape.control(in: bytes, at: index) {
            case .escape(let byte):
                record.append(byte)
                index += 4
            case .cut:
                cursor.position = bytes.count
                return false
            case .none:
                record.append(UInt8(ascii: "#"))
                index += 1
            }
        }
    }
}
