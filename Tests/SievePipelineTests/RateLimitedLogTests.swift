import InMemoryLogging
import Logging
import NIOCore
import Testing

@testable import SievePipeline

@Suite("rate-limited logging")
struct RateLimitedLogTests {
    @Test("a burst logs once; the next window's line carries the suppressed count")
    func burst() async throws {
        let handler = InMemoryLogHandler()
        let log = RateLimitedLog(logger: Logger(label: "test", factory: { _ in handler }), window: .milliseconds(200))
        for n in 0..<100 { log.warning("bad message", metadata: ["n": "\(n)"]) }
        #expect(handler.entries.count == 1)
        #expect(handler.entries.first?.metadata["n"] == "0")
        try await Task.sleep(for: .milliseconds(250))  // kept: the 200 ms window must pass
        log.warning("bad message", metadata: ["n": "100"])
        #expect(handler.entries.count == 2)
        #expect(handler.entries.last?.metadata["suppressed_since_last"] == "99")
    }
}
