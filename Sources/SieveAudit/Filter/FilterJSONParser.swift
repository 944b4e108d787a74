/// Reads an audit log filter / MySQL Enterprise JSON record into a flat record (docs/EVENT.md,
/// "Audit log filter and MySQL Enterprise"): the header keys and the members of the `*_data`
/// objects that name the statement become fields; every other member is kept, as JSON, under its
/// own key (nested objects such as `connection_attributes` or `startup_data` stay objects).
enum FilterJSONParser {
    /// Skips leading whitespace (and rsyslog's escapes of it) and the component's `audit-filter:`
    /// prefix; false when nothing is left.
    static func skipPrefix(_ cursor: inout ByteCursor) -> Bool {
        skipPrefix(&cursor, found: nil)
    }

    /// As `skipPrefix(_:)`, telling whether the prefix was there.
    static func skipPrefix(_ cursor: inout ByteCursor, found: UnsafeMutablePointer<Bool>?) -> Bool {
        cursor.skipWhitespace(rsyslogEscapes: true)
        var probe = cursor
        if probe.match("audit-filter:") == .matched {
            cursor = probe
            cursor.skipWhitespace(rsyslogEscapes: true)
            found?.pointee = true
        }
        return !cursor.isAtEnd
    }

    /// Objects whose members are the record's own (query, status, db, …).
    private static let flattened: [[UInt8]] = [
        "general_data", "connection_data", "table_access_data", "query_data", "command_data", "authentication_data",
        "global_variable_data", "stored_program_data", "parse_data",
    ].map { Array($0.utf8) }

    private enum Context { case top, account, login, data }

    private struct Cut: Error {
        var field: AuditField?
    }

    static func parse(_ message: UnsafeRawBufferPointer) throws(AuditParseError) -> AuditRecord {
        var cursor = ByteCursor(message)
        var prefixed = false
        guard skipPrefix(&cursor, found: &prefixed), cursor.current == UInt8(ascii: "{") else {
            throw AuditParseError(.syntax, format: .auditFilterJSON, offset: cursor.position, "expected '{'")
        }
        var record = AuditRecord(format: .auditFilterJSON, capacity: message.count)
        // Only Percona's component writes the prefix, and its `id` is one counter per server run
        // (MySQL Enterprise's restarts every second).
        record.idIsServerCounter = prefixed
        var recordClass: [UInt8] = []
        switch try readObject(&cursor, .top, into: &record, recordClass: &recordClass) {
        case .some(let field):
            record.markTruncated(in: field)
        case nil:
            // A file tailer's line ends with the separator ',': framing, not data.
            cursor.skipWhitespace(rsyslogEscapes: true)
            if cursor.current == UInt8(ascii: ",") {
                cursor.advance()
                cursor.skipWhitespace(rsyslogEscapes: true)
            }
            guard cursor.isAtEnd else {
                throw AuditParseError(
                    .trailingData, format: .auditFilterJSON, offset: cursor.position, "data after the record")
            }
        }
        record.kind = kind(of: recordClass)
        return record
    }

    private static func kind(of recordClass: [UInt8]) -> AuditRecordKind {
        switch String(decoding: recordClass, as: UTF8.self) {
        case "connection": .connection
        case "audit", "noaudit", "server_startup", "server_shutdown": .audit
        case "table_access": .table
        default: .general
        }
    }

    /// Reads the object at the cursor; returns nil when it closed, or `.some(field)` when the
    /// message ended inside it (the field the cut fell in, if one).
    private static func readObject(
        _ cursor: inout ByteCursor, _ context: Context, into record: inout AuditRecord, recordClass: inout [UInt8]
    ) throws(AuditParseError) -> AuditField?? {
        cursor.advance()  // {
        cursor.skipWhitespace(rsyslogEscapes: true)
        if cursor.current == UInt8(ascii: "}") {
            cursor.advance()
            return nil
        }
        while true {
            cursor.skipWhitespace(rsyslogEscapes: true)
            guard let quote = cursor.current else { return .some(nil) }
            guard quote == UInt8(ascii: "\"") else { throw syntax(cursor.position, "expected a key") }
            guard let keyRange = try JSONStringDecoder.skip(&cursor) else { return .some(nil) }
            let key = cursor.slice(keyRange)
            cursor.skipWhitespace(rsyslogEscapes: true)
            guard let colon = cursor.current else { return .some(nil) }
            guard colon == UInt8(ascii: ":") else { throw syntax(cursor.position, "expected ':'") }
            cursor.advance()
            cursor.skipWhitespace(rsyslogEscapes: true)
            guard let first = cursor.current else { return .some(nil) }
            if context == .top, first == UInt8(ascii: "{") {
                let nested: Context? =
                    key.elementsEqual("account".utf8)
                    ? .account
                    : key.elementsEqual("login".utf8)
                        ? .login
                        : flattened.contains(where: { key.elementsEqual($0) }) ? .data : nil
                if let nested {
                    if let cut = try readObject(&cursor, nested, into: &record, recordClass: &recordClass) {
                        return cut
                    }
                    if let end = try next(&cursor) { return end ? nil : .some(nil) }
                    continue
                }
            }
            if let field = field(for: key, in: context) {
                if first == UInt8(ascii: "\"") {
                    record.beginField(field)
                    let closed = try JSONStringDecoder.decode(&cursor, into: &record)
                    record.endField(field)
                    if !closed { return .some(field) }
                    if field == .recordClass, let value = record.value(.recordClass) { recordClass = Array(value) }
                } else if field.isNumeric, JSONValueCopier.isScalarByte(first) {
                    let start = cursor.position
                    while let byte = cursor.current, JSONValueCopier.isScalarByte(byte) { cursor.advance() }
                    // A number the cut went through is not its value.
                    if cursor.isAtEnd { return .some(nil) }
                    record.set(field, cursor.slice(start..<cursor.position))
                } else if try !copyExtra(Array(key), &cursor, into: &record) {
                    return .some(nil)
                }
            } else if try !copyExtra(extraKey(key, in: context), &cursor, into: &record) {
                return .some(nil)
            }
            if let end = try next(&cursor) { return end ? nil : .some(nil) }
        }
    }

    /// After a member: nil to read the next one, true at the object's `}`, false at the message's end.
    private static func next(_ cursor: inout ByteCursor) throws(AuditParseError) -> Bool? {
        cursor.skipWhitespace(rsyslogEscapes: true)
        guard let byte = cursor.current else { return false }
        cursor.advance()
        if byte == UInt8(ascii: ",") { return nil }
        if byte == UInt8(ascii: "}") { return true }
        throw syntax(cursor.position - 1, "expected ',' or '}'")
    }

    private static func field(for key: UnsafeRawBufferPointer, in context: Context) -> AuditField? {
        func named(_ name: String) -> Bool { key.elementsEqual(name.utf8) }
        switch context {
        case .top:
            if named("timestamp") { return .timestamp }
            if named("id") { return .id }
            if named("class") { return .recordClass }
            if named("event") { return .event }
            if named("connection_id") { return .connectionID }
        case .account:
            if named("user") { return .user }
            if named("host") { return .host }
        case .login:
            if named("os") { return .osUser }
            if named("ip") { return .ip }
            if named("proxy") { return .proxyUser }
        case .data:
            if named("query") { return .sqltext }
            if named("sql_command") { return .commandClass }
            if named("status") { return .status }
            if named("db") { return .db }
            if named("table") { return .table }
        }
        return nil
    }

    /// The event key of a member kept as it is: its own name (for members of `account`, `login` and
    /// the `*_data` objects too), except `login.user`, kept as `login_user` since `user` is the
    /// account's.
    private static func extraKey(_ key: UnsafeRawBufferPointer, in context: Context) -> [UInt8] {
        context == .login && key.elementsEqual("user".utf8) ? Array("login_user".utf8) : Array(key)
    }

    private static func copyExtra(
        _ key: [UInt8], _ cursor: inout ByteCursor, into record: inout AuditRecord
    ) throws(AuditParseError) -> Bool {
        let key = ReservedEventKeys.safe(key)
        let mark = record.extraJSON.count
        record.extraJSON.append(UInt8(ascii: ","))
        try JSONValueCopier.copyString(key, key.indices, into: &record.extraJSON)
        record.extraJSON.append(UInt8(ascii: ":"))
        guard try JSONValueCopier.copy(&cursor, into: &record.extraJSON) else {
            record.extraJSON.removeSubrange(mark...)
            return false
        }
        return true
    }

    private static func syntax(_ offset: Int, _ reason: String) -> AuditParseError {
        AuditParseError(.syntax, format: .auditFilterJSON, offset: offset, reason)
    }
}
