import Logging
import MetricsTestKit
import NIOCore
import NIOEmbedded
import SieveSyslog
import Testing

@testable import SievePipeline

/// The TCP framer on an `EmbeddedChannel`: bytes in, whole frames out, and the bytes of an
/// unfinished frame reported to the process-wide buffer budget.
@Suite("SyslogFramingHandler on an embedded channel")
struct SyslogFramingHandlerTests {
    struct Framed {
        let channel = EmbeddedChannel()
        let budget = FrameBufferBudget(limit: 1 << 20, logger: Logger(label: "framing-test"))

        init(_ framer: SyslogFramerConfiguration = SyslogFramerConfiguration()) throws {
            let activity = ConnectionActivity(
                channel: channel, metrics: ListenerMetrics(listener: "tcp://test", factory: TestMetrics())
            )
            try channel.pipeline.syncOperations.addHandler(
                SyslogFramingHandler(
                    decoder: SyslogFrameDecoder(framer), maximumBufferSize: framer.maxMessageBytes + (1 << 20),
                    activity: activity,
                    budget: budget
                )
            )
            try channel.connect(to: SocketAddress(ipAddress: "192.0.2.7", port: 514)).wait()
        }

        func write(_ text: String) throws { try channel.writeInbound(ByteBuffer(string: text)) }

        /// The messages handed on so far (with whether each was cut short by the close).
        func messages() throws -> [(String, incomplete: Bool)] {
            var out: [(String, incomplete: Bool)] = []
            while let read = try channel.readInbound(as: [SyslogFrame].self) {
                for case .message(let buffer, let info) in read { out.append((String(buffer: buffer), info.incomplete)) }
            }
            return out
        }
    }

    @Test("a frame split across reads comes out whole, in order; the budget holds the unfinished part, then nothing")
    func splitFrames() throws {
        let framed = try Framed()
        try framed.write("<14>one\n<14>tw")
        #expect(try framed.messages().map(\.0) == ["<14>one"])
        #expect(framed.budget.totalBytes > 0, "the unfinished frame's buffer is counted")
        try framed.write("o\n9 <14>three")
        #expect(try framed.messages().map(\.0) == ["<14>two", "<14>three"])
        #expect(framed.budget.totalBytes == 0, "nothing unfinished, nothing held")
        _ = try framed.channel.finish()
    }

    @Test("at close, an unfinished frame still comes out, marked incomplete, and the budget gives its bytes back")
    func unfinishedAtClose() throws {
        let framed = try Framed()
        try framed.write("<14>cut short")
        #expect(try framed.messages().isEmpty && framed.budget.totalBytes > 0)
        _ = try framed.channel.finish(acceptAlreadyClosed: true)
        let messages = try framed.messages()
        #expect(messages.map(\.0) == ["<14>cut short"] && messages.first?.incomplete == true)
        #expect(framed.budget.totalBytes == 0)
    }

    @Test("an octet count over max_frame_bytes is an error handed on (the ingest handler closes the connection on it)")
    func frameTooLarge() throws {
        let framed = try Framed(SyslogFramerConfiguration(maxMessageBytes: 1024, maxFrameBytes: 4096))
        #expect(throws: SyslogFramingError.self) { try framed.write("99999 <14>x") }
        #expect(try framed.messages().isEmpty)
        #expect(framed.budget.totalBytes == 0)
        _ = try framed.channel.finish(acceptAlreadyClosed: true)
    }
}
