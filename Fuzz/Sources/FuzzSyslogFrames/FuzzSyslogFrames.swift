import FuzzSupport
import NIOCore
import SieveSyslog

/// The input is a TCP byte stream. It is framed under four framer settings (every framing, both
/// oversize policies, message limits small enough to be crossed), each time whole and drip-fed in
/// uneven pieces: the frames must be the same either way. Every message is then read by the
/// header parser, as is the input itself.
let configurations: [SyslogFramerConfiguration] = [
    SyslogFramerConfiguration(),
    SyslogFramerConfiguration(framing: .octetCounted, maxMessageBytes: 64, oversize: .truncate, maxFrameBytes: 4096),
    SyslogFramerConfiguration(framing: .lf, maxMessageBytes: 16, oversize: .drop),
    SyslogFramerConfiguration(framing: .auto, maxMessageBytes: 32, oversize: .drop, maxFrameBytes: 200),
]

/// Piece sizes for the drip feed, cycled: cuts inside every part of a frame, and few enough calls
/// to keep the target fast.
let pieceSizes = [1, 3, 7, 2, 13, 64, 5, 300]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSyslogFrames(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = fuzzInput(data, size)
    checkHeader(input)
    let stream = Array(input)
    for configuration in configurations {
        let whole = decode([stream[...]], configuration)
        var pieces: [ArraySlice<UInt8>] = []
        var offset = 0
        while offset < stream.count {
            let end = min(stream.count, offset + pieceSizes[pieces.count % pieceSizes.count])
            pieces.append(stream[offset..<end])
            offset = end
        }
        let dripped = decode(pieces, configuration)
        fuzzCheck(
            whole.frames == dripped.frames && whole.error == dripped.error,
            "\(configuration): framing depends on how the stream was cut: \(whole) vs \(dripped)"
        )
        check(whole.frames, configuration, inputBytes: stream.count)
    }
    return 0
}

func decode(_ pieces: [ArraySlice<UInt8>], _ configuration: SyslogFramerConfiguration)
    -> (frames: [SyslogFrame], error: SyslogFramingError?)
{
    let processor = NIOSingleStepByteToMessageProcessor(SyslogFrameDecoder(configuration))
    var frames: [SyslogFrame] = []
    do {
        for piece in pieces {
            try processor.process(buffer: ByteBuffer(bytes: piece)) { frames.append($0) }
        }
        try processor.finishProcessing(seenEOF: true) { frames.append($0) }
        return (frames, nil)
    } catch let error as SyslogFramingError {
        return (frames, error)
    } catch {
        fatalError("the framer threw \(error), which is not a SyslogFramingError")
    }
}

func check(_ frames: [SyslogFrame], _ configuration: SyslogFramerConfiguration, inputBytes: Int) {
    var messageBytes = 0
    for frame in frames {
        switch frame {
        case .message(let message, let info):
            let count = message.readableBytes
            messageBytes += count
            fuzzCheck(
                count >= 1 && count <= configuration.maxMessageBytes, "\(configuration): a message of \(count) bytes")
            fuzzCheck(info.framing != .auto, "a frame says its framing was auto")
            fuzzCheck(!info.oversizeTruncated || configuration.oversize == .truncate, "cut under oversize: drop")
            message.withUnsafeReadableBytes { checkHeader($0) }
        case .oversizeDropped(let length, let framing):
            fuzzCheck(configuration.oversize == .drop, "dropped under oversize: truncate")
            fuzzCheck(length > configuration.maxMessageBytes, "\(configuration): dropped \(length) bytes as oversize")
            fuzzCheck(framing != .auto, "a dropped frame says its framing was auto")
        }
    }
    fuzzCheck(messageBytes <= inputBytes, "messages hold \(messageBytes) bytes of a \(inputBytes)-byte stream")
}

/// Every range the header parser returns lies in the message, before MSG, and MSG runs to the end.
func checkHeader(_ bytes: UnsafeRawBufferPointer) {
    let header = SyslogHeaderParser.parse(bytes)
    fuzzCheck(header.msg.upperBound == bytes.count, "MSG \(header.msg) does not end the \(bytes.count)-byte message")
    let parts = [header.timestamp, header.hostname, header.appName, header.procID, header.msgID, header.structuredData]
    for case let range? in parts {
        fuzzCheck(
            range.lowerBound >= 0 && range.upperBound <= header.msg.lowerBound, "header part \(range) outside \(header)"
        )
    }
    if header.headerFormat == .none {
        fuzzCheck(header.facility == nil && header.msg == 0..<bytes.count, "no <PRI> but \(header)")
    } else {
        fuzzCheck(
            (0...23).contains(header.facility ?? -1) && (0...7).contains(header.severity ?? -1),
            "facility or severity out of range: \(header)"
        )
    }
}
