import Foundation
import NIOCore
import SieveSyslog

/// Runs `input` through a fresh decoder in the given pieces, then closes the stream.
/// Returns the frames and the error that stopped decoding, if any.
func decodeFrames(
    _ pieces: [[UInt8]], _ configuration: SyslogFramerConfiguration = SyslogFramerConfiguration()
) -> (frames: [SyslogFrame], error: SyslogFramingError?) {
    let processor = NIOSingleStepByteToMessageProcessor(SyslogFrameDecoder(configuration))
    var frames: [SyslogFrame] = []
    do {
        for piece in pieces {
            try processor.process(buffer: ByteBuffer(bytes: piece)) { frames.append($0) }
        }
        try processor.finishProcessing(seenEOF: true) { frames.append($0) }
        return (frames, nil)
    } catch {
        return (frames, error as? SyslogFramingError)
    }
}

/// Frames `input` fed in one piece; fails the caller on a framing error.
func decodeFrames(
    _ input: [UInt8], _ configuration: SyslogFramerConfiguration = SyslogFramerConfiguration()
) throws -> [SyslogFrame] {
    let result = decodeFrames([input], configuration)
    if let error = result.error {
        throw error
    }
    return result.frames
}

func decodeFrames(
    _ input: String, _ configuration: SyslogFramerConfiguration = SyslogFramerConfiguration()
) throws -> [SyslogFrame] {
    try decodeFrames(Array(input.utf8), configuration)
}

/// A frame holding `text`, as the tests expect it.
func message(
    _ text: String, _ framing: SyslogFraming, truncated: Bool = false, incomplete: Bool = false
) -> SyslogFrame {
    .message(
        ByteBuffer(string: text),
        SyslogFrameInfo(framing: framing, oversizeTruncated: truncated, incomplete: incomplete)
    )
}

/// `LEN SP text`, with LEN counted in bytes.
func octetFrame(_ text: String) -> String {
    "\(text.utf8.count) \(text)"
}

/// The configuration with only the given fields changed.
func framer(
    _ framing: SyslogFraming = .auto, maxMessageBytes: Int = 256 * 1024, oversize: OversizePolicy = .truncate,
    maxFrameBytes: Int = 64 * 1024 * 1024
) -> SyslogFramerConfiguration {
    SyslogFramerConfiguration(
        framing: framing, maxMessageBytes: maxMessageBytes, oversize: oversize, maxFrameBytes: maxFrameBytes
    )
}

/// The samples in `Fixtures/`, with the researcher's `#### ` comment lines removed.
enum Fixture {
    static func bytes(_ name: String) throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: name, withExtension: "txt", subdirectory: "Fixtures") else {
            throw CocoaError(.fileNoSuchFile)
        }
        let lines = try Data(contentsOf: url).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let kept = lines.filter { !$0.starts(with: Array("#### ".utf8)) }
        return Array(kept.joined(separator: [UInt8(ascii: "\n")]))
    }
}
