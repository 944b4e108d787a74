import SieveAudit

/// A test-side copy of the plugin's record writer: the templates of docs/FORMATS.md §2.1 and
/// the escaping of §2.6, byte for byte, plus what the transport does to the result (§5).
enum PluginEncoder {
    enum Format: CaseIterable { case old, new, json, csv }

    enum Transport: CaseIterable {
        /// The record as the plugin wrote it, raw LFs and trailing LF included (file handler, or a
        /// syslog path that does not escape).
        case raw
        /// After rsyslog: control bytes as `#ooo`, the trailing LF dropped.
        case rsyslog
    }

    /// Fields the plugin escapes; NAME, RECORD, TIMESTAMP, COMMAND_CLASS, MYSQL_VERSION and
    /// STARTUP_OPTIONS are printed raw.
    static let escapedFields: Set<AuditField> = [
        .sqltext, .user, .host, .osUser, .osLogin, .ip, .db, .privUser, .proxyUser,
    ]

    static func message(
        _ kind: AuditRecordKind, _ values: [AuditField: [UInt8]], format: Format, transport: Transport
    ) -> [UInt8] {
        let text = record(kind, values, format: format)
        return transport == .raw ? text : rsyslog(text)
    }

    static func record(_ kind: AuditRecordKind, _ values: [AuditField: [UInt8]], format: Format) -> [UInt8] {
        func value(_ field: AuditField) -> [UInt8] {
            let raw = values[field] ?? []
            return escapedFields.contains(field) ? escape(raw, for: format) : raw
        }
        var out: [UInt8] = []
        func put(_ text: String) { out += Array(text.utf8) }
        switch format {
        case .old:
            put("<AUDIT_RECORD\n")
            for field in kind.fields {
                put("  \(field.xmlName)=\"")
                out += value(field)
                put("\"\n")
            }
            put("/>\n")
        case .new:
            put("<AUDIT_RECORD>\n")
            for field in kind.fields {
                put("  <\(field.xmlName)>")
                out += value(field)
                put("</\(field.xmlName)>\n")
            }
            put("</AUDIT_RECORD>\n")
        case .json:
            put("{\"audit_record\":{")
            for (index, field) in kind.fields.enumerated() {
                if index > 0 { put(",") }
                put("\"\(field == .startupOptions ? "startup_optionsi" : field.key)\":")
                if field == .status {
                    out += value(field)
                } else {
                    put("\"")
                    out += value(field)
                    put("\"")
                }
            }
            put("}}\n")
        case .csv:
            for (index, field) in kind.fields.enumerated() {
                if index > 0 { put(",") }
                if field == .status {
                    out += value(field)
                } else {
                    put("\"")
                    out += value(field)
                    put("\"")
                }
            }
            put("\n")
        }
        return out
    }

    /// `xml_escape`, `json_escape`, `csv_escape` (docs/FORMATS.md §2.6).
    static func escape(_ value: [UInt8], for format: Format) -> [UInt8] {
        var out: [UInt8] = []
        for byte in value {
            switch format {
            case .old, .new:
                switch byte {
                case 0x00: out.append(UInt8(ascii: "?"))
                case 0x01..<0x20: out += Array("&#\(byte);".utf8)
                case UInt8(ascii: "<"): out += Array("&lt;".utf8)
                case UInt8(ascii: ">"): out += Array("&gt;".utf8)
                case UInt8(ascii: "&"): out += Array("&amp;".utf8)
                case UInt8(ascii: "\""): out += Array("&quot;".utf8)
                default: out.append(byte)
                }
            case .json:
                switch byte {
                case 0x08: out += Array("\\b".utf8)
                case 0x09: out += Array("\\t".utf8)
                case 0x0A: out += Array("\\n".utf8)
                case 0x0C: out += Array("\\f".utf8)
                case 0x0D: out += Array("\\r".utf8)
                case 0x00..<0x20:
                    let hex = String(byte, radix: 16, uppercase: true)
                    out += Array(("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
                case UInt8(ascii: "\""): out += Array("\\\"".utf8)
                case UInt8(ascii: "\\"): out += Array("\\\\".utf8)
                case UInt8(ascii: "/"): out += Array("\\/".utf8)
                default: out.append(byte)
                }
            case .csv:
                if byte == UInt8(ascii: "\"") { out.append(byte) }
                out.append(byte)
            }
        }
        return out
    }

    /// rsyslog's `$EscapeControlCharactersOnReceive`: control bytes become `#` and three octal
    /// digits; the record's trailing LF is dropped before that.
    static func rsyslog(_ text: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for byte in text.last == 0x0A ? text.dropLast() : text[...] {
            if byte < 0x20 {
                out.append(UInt8(ascii: "#"))
                out.append(UInt8(ascii: "0") + byte >> 6)
                out.append(UInt8(ascii: "0") + byte >> 3 & 7)
                out.append(UInt8(ascii: "0") + byte & 7)
            } else {
                out.append(byte)
            }
        }
        return out
    }

    /// What a value reads as after the round trip: the losses docs/FORMATS.md documents (§2.6,
    /// §5.2). XML shows NUL as `?`. CSV cannot tell a typed `#012` from rsyslog's escaped LF, and the
    /// parser cannot know whether rsyslog was on the way, so a typed `#000`…`#037` reads as the
    /// control byte.
    static func expected(_ value: [UInt8], field: AuditField, format: Format, transport: Transport) -> [UInt8] {
        guard escapedFields.contains(field) else { return value }
        switch (format, transport) {
        case (.old, _), (.new, _):
            return value.map { $0 == 0 ? UInt8(ascii: "?") : $0 }
        case (.csv, _):
            var out: [UInt8] = []
            var index = 0
            while index < value.count {
                if index + 3 < value.count, value[index] == UInt8(ascii: "#"), value[index + 1] == UInt8(ascii: "0"),
                    (UInt8(ascii: "0")...UInt8(ascii: "3")).contains(value[index + 2]),
                    (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(value[index + 3])
                {
                    out.append((value[index + 2] - UInt8(ascii: "0")) << 3 | (value[index + 3] - UInt8(ascii: "0")))
                    index += 4
                } else {
                    out.append(value[index])
                    index += 1
                }
            }
            return out
        default:
            return value
        }
    }
}
