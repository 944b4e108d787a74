/// The `operation` field of a MariaDB server_audit line and the record kind it makes.
enum MariaDBOperation: CaseIterable {
    case connect, disconnect, failedConnect, changeUser, proxyConnect
    case query
    case read, write, create, drop, alter, rename

    var text: String {
        switch self {
        case .connect: "CONNECT"
        case .disconnect: "DISCONNECT"
        case .failedConnect: "FAILED_CONNECT"
        case .changeUser: "CHANGEUSER"
        case .proxyConnect: "PROXY_CONNECT"
        case .query: "QUERY"
        case .read: "READ"
        case .write: "WRITE"
        case .create: "CREATE"
        case .drop: "DROP"
        case .alter: "ALTER"
        case .rename: "RENAME"
        }
    }

    var kind: AuditRecordKind {
        switch self {
        case .connect, .disconnect, .failedConnect, .changeUser, .proxyConnect: .connection
        case .query: .general
        case .read, .write, .create, .drop, .alter, .rename: .table
        }
    }

    private static let texts: [[UInt8]] = allCases.map { Array($0.text.utf8) }

    /// The operation spelled by `bytes[range]`, if it is one.
    static func named(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> MariaDBOperation? {
        let length = range.count
        guard length >= 4 && length <= 14 else { return nil }
        for (index, text) in texts.enumerated() where text.count == length {
            var equal = true
            for offset in 0..<length where bytes[range.lowerBound + offset] != text[offset] {
                equal = false
                break
            }
            if equal { return allCases[index] }
        }
        return nil
    }
}
