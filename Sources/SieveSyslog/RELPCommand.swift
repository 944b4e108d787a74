/// A RELP frame's command (librelp's `relp.html`): what the client may send, what the server
/// answers with, and anything else as `other` (answered "500 command not supported").
public enum RELPCommand: Sendable, Equatable {
    case open
    case syslog
    case close
    case rsp
    case serverclose
    case other

    /// Recognises a command from its bytes (ASCII letters, case as librelp writes it).
    static func recognise(_ bytes: UnsafeRawBufferPointer) -> RELPCommand {
        if bytes.elementsEqual("syslog".utf8) { return .syslog }
        if bytes.elementsEqual("open".utf8) { return .open }
        if bytes.elementsEqual("close".utf8) { return .close }
        if bytes.elementsEqual("rsp".utf8) { return .rsp }
        if bytes.elementsEqual("serverclose".utf8) { return .serverclose }
        return .other
    }
}
