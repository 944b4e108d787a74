import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Logs the first occurrence of a problem in each window and how many were suppressed since, so a
/// sender spewing garbage cannot flood the log while every occurrence is still counted in metrics.
final class RateLimitedLog: Sendable {
    private struct State {
        var windowStart: NIODeadline = .distantPast
        var suppressed = 0
    }

    private let logger: Logger
    private let window: TimeAmount
    private let state = NIOLockedValueBox(State())

    init(logger: Logger, window: TimeAmount = .seconds(10)) {
        self.logger = logger
        self.window = window
    }

    func warning(_ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata) {
        let now = NIODeadline.now()
        let suppressed: Int? = state.withLockedValue { state in
            guard now - state.windowStart >= window else {
                state.suppressed += 1
                return nil
            }
            defer {
                state.windowStart = now
                state.suppressed = 0
            }
            return state.suppressed
        }
        guard let suppressed else { return }
        var fields = metadata()
        if suppressed > 0 { fields["suppressed_since_last"] = "\(suppressed)" }
        logger.warning(message(), metadata: fields)
    }
}
