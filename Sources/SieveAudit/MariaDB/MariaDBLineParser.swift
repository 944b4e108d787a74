/// Reads one server_audit line into a record: header fields from the left up to the anchor, the
/// retcode from the right, and the database/object middle by the operation's rules. Where a name
/// holding a comma (or `|`, `.` in RENAME) makes the split ambiguous, the record says so in its
/// warnings rather than guessing silently.
enum MariaDBLineParser {
    static func parse(_ message: UnsafeRawBufferPointer) throws(AuditParseError) -> AuditRecord {
        var end = message.count
        while end > 0, message[end - 1] == 0x0A || message[end - 1] == 0x0D { end -= 1 }
        let line = UnsafeRawBufferPointer(rebasing: message[0..<end])
        guard let anchor = MariaDBLineAnchor.find(in: line) else {
            throw AuditParseError(
                .syntax, format: .mariadbAudit, offset: 0, "no ',CONNECTIONID,QUERYID,OPERATION,' in the line")
        }
        var record = AuditRecord(format: .mariadbAudit, kind: anchor.op.kind, capacity: line.count + 32)
        try readPrefix(line, upTo: anchor.prefixEnd, into: &record)
        record.set(.connectionID, line[anchor.connectionID])
        record.set(.queryID, line[anchor.queryID])
        record.set(.operation, line[anchor.operation])
        switch anchor.op.kind {
        case .general: try readQuery(line, from: anchor.restStart, into: &record)
        case .connection: try readConnection(line, from: anchor.restStart, op: anchor.op, into: &record)
        default: readTable(line, from: anchor.restStart, rename: anchor.op == .rename, into: &record)
        }
        return record
    }

    // MARK: before the anchor

    /// `[TIMESTAMP,]SERVERHOST,USER,HOST`, or `INFO SERVERHOST,USER,HOST` from syslog. The user
    /// is what lies between serverhost and host, commas and all (host names hold none).
    private static func readPrefix(_ line: UnsafeRawBufferPointer, upTo end: Int, into record: inout AuditRecord)
        throws(AuditParseError)
    {
        guard let firstComma = (0..<end).first(where: { line[$0] == UInt8(ascii: ",") }) else {
            throw AuditParseError(
                .fields, format: .mariadbAudit, offset: end, "expected SERVERHOST,USER,HOST before the connection id")
        }
        var serverStart = 0
        var serverEnd = firstComma
        if isTimestamp(line, 0..<firstComma) {
            record.set(.timestamp, line[0..<firstComma])
            serverStart = firstComma + 1
            guard let next = (serverStart..<end).first(where: { line[$0] == UInt8(ascii: ",") }) else {
                throw AuditParseError(
                    .fields, format: .mariadbAudit, offset: end, "expected SERVERHOST,USER,HOST after the timestamp")
            }
            serverEnd = next
        } else if let space = (0..<firstComma).last(where: { line[$0] == UInt8(ascii: " ") }) {
            // server_audit_syslog_info, then a space: the server host is what follows.
            serverStart = space + 1
        }
        guard let hostComma = (serverEnd..<end).last(where: { line[$0] == UInt8(ascii: ",") }), hostComma > serverEnd
        else {
            throw AuditParseError(
                .fields, format: .mariadbAudit, offset: end, "expected SERVERHOST,USER,HOST before the connection id")
        }
        record.set(.serverhost, line[serverStart..<serverEnd])
        record.set(.user, line[(serverEnd + 1)..<hostComma])
        record.set(.host, line[(hostComma + 1)..<end])
    }

    /// `YYYYMMDD HH:MM:SS`, the file output's default (`server_audit_timestamp_format`).
    private static func isTimestamp(_ line: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        guard range.count == 17 else { return false }
        for (offset, index) in range.enumerated() {
            let byte = line[index]
            switch offset {
            case 8: if byte != UInt8(ascii: " ") { return false }
            case 11, 14: if byte != UInt8(ascii: ":") { return false }
            default: if byte < 48 || byte > 57 { return false }
            }
        }
        return true
    }

    // MARK: after the anchor

    /// `DATABASE,'QUERY',RETCODE`. The query's quotes and backslashes are escaped by the plugin,
    /// so its first unescaped `'` closes it; a line that ends before (rsyslog cut it) is truncated.
    private static func readQuery(_ line: UnsafeRawBufferPointer, from start: Int, into record: inout AuditRecord)
        throws(AuditParseError)
    {
        var open = start
        while open + 1 < line.count, !(line[open] == UInt8(ascii: ",") && line[open + 1] == UInt8(ascii: "'")) {
            open += 1
        }
        guard open + 1 < line.count else {
            // Cut inside the database name, or before the query's quote.
            record.set(.db, line[start..<min(open, line.count)])
            record.markTruncated(in: nil)
            return
        }
        if line[start..<open].contains(UInt8(ascii: ",")) {
            record.warnings.append("db holds a comma: read up to the query's opening quote")
        }
        record.set(.db, line[start..<open])
        var index = open + 2
        record.beginField(.sqltext)
        var closed = false
        while index < line.count {
            let byte = line[index]
            if byte == UInt8(ascii: "'") {
                closed = true
                break
            }
            if byte == UInt8(ascii: "\\") {
                guard index + 1 < line.count else { break }
                record.append(unescaped(line[index + 1]))
                index += 2
                continue
            }
            if byte == UInt8(ascii: "#") {
                switch RsyslogEscape.control(in: line, at: index) {
                case .escape(let control):
                    record.append(control)
                    index += 4
                    continue
                case .cut:
                    index = line.count
                    continue
                case .none: break
                }
            }
            record.append(byte)
            index += 1
        }
        record.endField(.sqltext)
        guard closed else {
            record.markTruncated(in: .sqltext)
            return
        }
        let retcode = index + 1
        guard retcode < line.count, line[retcode] == UInt8(ascii: ","), isInteger(line, retcode + 1..<line.count) else {
            throw AuditParseError(
                .syntax, format: .mariadbAudit, offset: retcode, "expected ',RETCODE' after the query's closing quote")
        }
        record.set(.status, line[(retcode + 1)..<line.count])
    }

    /// The plugin's escapes: `\'` `\\` `\n` `\t` `\r` `\b` `\f` (anything else stands for itself).
    private static func unescaped(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "t"): 0x09
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        default: byte
        }
    }

    /// `DATABASE,OBJECT,RETCODE` of CONNECT, DISCONNECT, FAILED_CONNECT, CHANGEUSER, PROXY_CONNECT.
    /// The object is empty, a TLS version (12.3+), or `` `user`@`host` `` (PROXY_CONNECT).
    private static func readConnection(
        _ line: UnsafeRawBufferPointer, from start: Int, op: MariaDBOperation, into record: inout AuditRecord
    ) throws(AuditParseError) {
        guard let last = (start..<line.count).last(where: { line[$0] == UInt8(ascii: ",") }),
            isInteger(line, last + 1..<line.count)
        else {
            throw AuditParseError(
                .fields, format: .mariadbAudit, offset: line.count, "expected DATABASE,OBJECT,RETCODE after \(op.text)")
        }
        func isComma(_ index: Int) -> Bool { line[index] == UInt8(ascii: ",") }
        guard var split = (start..<last).last(where: isComma) else {
            throw AuditParseError(
                .fields, format: .mariadbAudit, offset: last, "expected DATABASE,OBJECT before the retcode")
        }
        if (start..<split).contains(where: isComma) {
            if op == .proxyConnect,
                let quoted = (start..<last).first(where: { isComma($0) && line[$0 + 1] == UInt8(ascii: "`") })
            {
                split = quoted
                record.warnings.append("db or object holds a comma: split before the object's backquote")
            } else {
                record.warnings.append("db or object holds a comma: split at the last comma")
            }
        }
        record.set(.db, line[start..<split])
        record.set(.object, line[(split + 1)..<last])
        record.set(.status, line[(last + 1)..<line.count])
    }

    /// `DATABASE,TABLE,` (RENAME: `DATABASE,TABLE|NEWDB.NEWTABLE,`). Names are raw: a comma in a
    /// name makes the split ambiguous, flagged; the first comma is taken.
    private static func readTable(
        _ line: UnsafeRawBufferPointer, from start: Int, rename: Bool, into record: inout AuditRecord
    ) {
        var end = line.count
        if end > start, line[end - 1] == UInt8(ascii: ",") {
            end -= 1
        } else {
            record.markTruncated(in: nil)
        }
        guard let split = (start..<end).first(where: { line[$0] == UInt8(ascii: ",") }) else {
            record.set(.db, line[start..<end])
            if !record.truncated { record.warnings.append("no table after the database") }
            return
        }
        if ((split + 1)..<end).contains(where: { line[$0] == UInt8(ascii: ",") }) {
            record.warnings.append("db or table holds a comma: split at the first comma")
        }
        record.set(.db, line[start..<split])
        guard rename, let bar = ((split + 1)..<end).first(where: { line[$0] == UInt8(ascii: "|") }) else {
            record.set(.table, line[(split + 1)..<end])
            return
        }
        record.set(.table, line[(split + 1)..<bar])
        if ((bar + 1)..<end).contains(where: { line[$0] == UInt8(ascii: "|") }) {
            record.warnings.append("a renamed table holds '|': split at the first '|'")
        }
        guard let dot = ((bar + 1)..<end).first(where: { line[$0] == UInt8(ascii: ".") }) else {
            record.set(.newTable, line[(bar + 1)..<end])
            return
        }
        if ((dot + 1)..<end).contains(where: { line[$0] == UInt8(ascii: ".") }) {
            record.warnings.append("the new name holds more than one '.': split at the first")
        }
        record.set(.newDB, line[(bar + 1)..<dot])
        record.set(.newTable, line[(dot + 1)..<end])
    }

    private static func isInteger(_ line: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        var digits = range
        if let first = digits.first, line[first] == UInt8(ascii: "-") { digits = (first + 1)..<range.upperBound }
        return !digits.isEmpty && digits.count <= 18 && digits.allSatisfy { line[$0] >= 48 && line[$0] <= 57 }
    }
}
