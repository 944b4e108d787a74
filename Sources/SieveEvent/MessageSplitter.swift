import NIOCore
import SieveAudit
import SieveSyslog

/// Splits a capture file into messages, for `auditsieve parse`: syslog frames (framing detected
/// as a listener does) when the input starts like syslog (`<PRI>` or `LEN <`), otherwise bare
/// records split by each format's own structure. Lines starting with `#### ` are comments.
public enum MessageSplitter {
    public static func split(_ input: [UInt8], framer: SyslogFramerConfiguration = .init()) -> [InputMessage] {
        let content = removingComments(input)
        if looksLikeSyslog(content) {
            return frames(content, framer: framer)
        }
        return bareRecords(content)
    }

    static func frames(_ content: [UInt8], framer: SyslogFramerConfiguration) -> [InputMessage] {
        var messages: [InputMessage] = []
        var buffer = ByteBufferAllocator().buffer(bytes: content)
        let decoder = SyslogFrameDecoder(framer)
        func collect(_ frame: SyslogFrame) {
            switch frame {
            case .message(let bytes, let info):
                messages.append(InputMessage(bytes: bytes, framed: true, oversizeTruncated: info.oversizeTruncated))
            case .oversizeDropped:
                messages.append(InputMessage(bytes: ByteBuffer(), framed: true, dropped: true))
            }
        }
        do {
            while let frame = try decoder.decode(buffer: &buffer) { collect(frame) }
            while let frame = try decoder.decodeLast(buffer: &buffer, seenEOF: true) { collect(frame) }
        } catch {
            // A frame claiming more than max_frame_bytes: the rest of the file, from that frame on,
            // is one bare message, so it is still shown rather than lost.
            if buffer.readableBytes > 0 { messages.append(InputMessage(bytes: buffer, framed: false)) }
        }
        return messages
    }

    static func bareRecords(_ content: [UInt8]) -> [InputMessage] {
        var messages: [InputMessage] = []
        let allocator = ByteBufferAllocator()
        content.withUnsafeBytes { bytes in
            var offset = 0
            while let chunk = AuditRecordSplitter.nextChunk(in: bytes, from: offset) {
                let slice = UnsafeRawBufferPointer(rebasing: bytes[chunk.range])
                var buffer = allocator.buffer(capacity: slice.count)
                buffer.writeBytes(slice)
                messages.append(InputMessage(bytes: buffer, framed: false, unclosed: chunk.unclosed))
                guard chunk.next > offset else { break }
                offset = chunk.next
            }
        }
        return messages
    }

    /// Drops lines that start with `#### `.
    static func removingComments(_ input: [UInt8]) -> [UInt8] {
        let marker: [UInt8] = Array("#### ".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var lineStart = 0
        while lineStart < input.count {
            var lineEnd = lineStart
            while lineEnd < input.count && input[lineEnd] != 0x0A { lineEnd += 1 }
            let next = min(lineEnd + 1, input.count)
            if !input[lineStart..<lineEnd].starts(with: marker) {
                output.append(contentsOf: input[lineStart..<next])
            }
            lineStart = next
        }
        return output
    }

    /// The first significant bytes are `<digit` or `[1-9][0-9]* <`.
    static func looksLikeSyslog(_ content: [UInt8]) -> Bool {
        var index = 0
        while index < content.count && (content[index] == 0x0A || content[index] == 0x0D || content[index] == 0x20) {
            index += 1
        }
        guard index + 1 < content.count else { return false }
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        if content[index] == UInt8(ascii: "<") { return isDigit(content[index + 1]) }
        guard content[index] != UInt8(ascii: "0"), isDigit(content[index]) else { return false }
        var cursor = index
        while cursor < content.count && isDigit(content[cursor]) { cursor += 1 }
        return cursor + 1 < content.count && content[cursor] == 0x20 && content[cursor + 1] == UInt8(ascii: "<")
    }
}
