/// Where the fixed middle of a server_audit line lies: `,CONNECTIONID,QUERYID,OPERATION,`.
///
/// Fields before it (timestamp, serverhost, user, host) and after it (database, object, retcode)
/// can hold commas of their own (a user or db name may), so the line is read outward from this
/// anchor, the first place where two decimal numbers and a known operation follow a comma.
struct MariaDBLineAnchor {
    /// The comma that ends the host field.
    var prefixEnd: Int
    var connectionID: Range<Int>
    var queryID: Range<Int>
    var operation: Range<Int>
    var op: MariaDBOperation
    /// The first byte after the comma that follows the operation.
    var restStart: Int

    /// Searches the first `limit` bytes (the fields before the anchor are short; a message that
    /// has no anchor there is not a server_audit line).
    static func find(in bytes: UnsafeRawBufferPointer, limit: Int = 4096) -> MariaDBLineAnchor? {
        let end = min(bytes.count, limit)
        var comma = 0
        while comma < end {
            guard bytes[comma] == UInt8(ascii: ",") else {
                comma += 1
                continue
            }
            if let anchor = match(bytes, at: comma) { return anchor }
            comma += 1
        }
        return nil
    }

    private static func digits(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var index = start
        while index < bytes.count, index - start < 20, bytes[index] >= 48 && bytes[index] <= 57 { index += 1 }
        return index
    }

    private static func match(_ bytes: UnsafeRawBufferPointer, at comma: Int) -> MariaDBLineAnchor? {
        // A host, then at least serverhost and user before it.
        guard comma > 0 else { return nil }
        let idEnd = digits(bytes, from: comma + 1)
        guard idEnd > comma + 1, idEnd < bytes.count, bytes[idEnd] == UInt8(ascii: ",") else { return nil }
        let queryEnd = digits(bytes, from: idEnd + 1)
        guard queryEnd > idEnd + 1, queryEnd < bytes.count, bytes[queryEnd] == UInt8(ascii: ",") else { return nil }
        var opEnd = queryEnd + 1
        while opEnd < bytes.count, opEnd - queryEnd <= 15, bytes[opEnd] != UInt8(ascii: ",") { opEnd += 1 }
        guard opEnd < bytes.count, let op = MariaDBOperation.named(bytes, queryEnd + 1..<opEnd) else { return nil }
        return MariaDBLineAnchor(
            prefixEnd: comma, connectionID: comma + 1..<idEnd, queryID: idEnd + 1..<queryEnd,
            operation: queryEnd + 1..<opEnd, op: op, restStart: opEnd + 1
        )
    }
}
