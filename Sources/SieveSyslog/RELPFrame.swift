import NIOCore

/// One RELP frame: `TXNR SP COMMAND SP DATALEN [SP DATA] LF`.
public struct RELPFrame: Sendable, Equatable {
    /// The transaction number the answer must carry (1…999,999,999; 0 only in `serverclose`).
    public var txnr: Int
    public var command: RELPCommand
    /// The command's data (a syslog message, the `open` offers), a slice of the read buffer.
    public var data: ByteBuffer

    public init(txnr: Int, command: RELPCommand, data: ByteBuffer) {
        self.txnr = txnr
        self.command = command
        self.data = data
    }
}
