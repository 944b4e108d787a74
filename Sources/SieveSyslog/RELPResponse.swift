import NIOCore

/// The frames a RELP server writes: `TXNR rsp DATALEN [SP DATA] LF`, and `0 serverclose 0 LF`.
public enum RELPResponse {
    /// What this server offers in its answer to `open` (librelp's client needs `commands=syslog`).
    public static let offers = "relp_version=0\nrelp_software=auditsieve\ncommands=syslog"

    /// `TXNR rsp LEN CODE SP TEXT[LF EXTRA]`: "200 OK" acknowledges, 500 refuses.
    public static func write(txnr: Int, code: Int, text: String, extra: String? = nil, into buffer: inout ByteBuffer) {
        var data = "\(code) \(text)"
        if let extra { data += "\n" + extra }
        writeFrame(txnr: txnr, command: "rsp", data: data, into: &buffer)
    }

    /// The answer to `close`: an `rsp` without data (the server then closes the connection).
    public static func writeCloseAnswer(txnr: Int, into buffer: inout ByteBuffer) {
        writeFrame(txnr: txnr, command: "rsp", data: "", into: &buffer)
    }

    /// Tells the client the server is going away (shutdown, or a stream it cannot read).
    public static func writeServerClose(into buffer: inout ByteBuffer) {
        writeFrame(txnr: 0, command: "serverclose", data: "", into: &buffer)
    }

    /// A RELP frame (also what a client writes: `open`, `syslog`, `close`).
    public static func writeFrame(txnr: Int, command: String, data: String, into buffer: inout ByteBuffer) {
        let bytes = Array(data.utf8)
        writeFrame(txnr: txnr, command: command, data: bytes[...], into: &buffer)
    }

    public static func writeFrame(
        txnr: Int, command: String, data: ArraySlice<UInt8>, into buffer: inout ByteBuffer
    ) {
        buffer.writeString("\(txnr) \(command) \(data.count)")
        if !data.isEmpty {
            buffer.writeInteger(UInt8(ascii: " "))
            buffer.writeBytes(data)
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }
}
