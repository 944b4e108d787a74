import NIOConcurrencyHelpers
import NIOCore
import SieveDelivery

/// Turns a connection's reading off (autoRead) while a queue it feeds is full, or while its
/// own reason holds (a RELP session owing too many answers), and on again once neither does.
/// Lives on the connection's event loop.
final class ReadPause {
    private let activity: ConnectionActivity?
    private let metrics: ListenerMetrics
    /// A queue this connection fed answered full and has not yet had room again.
    private(set) var queueFull = false
    /// The owner's own reason (`hold`).
    private var held = false

    init(activity: ConnectionActivity?, metrics: ListenerMetrics) {
        self.activity = activity
        self.metrics = metrics
    }

    /// Stops reading while any of `full` is full; resumes when all have room.
    func pause(for full: [DeliveryQueue], context: ChannelHandlerContext) {
        guard !full.isEmpty, !queueFull else { return }
        queueFull = true
        activity?.paused.store(true, ordering: .relaxed)
        metrics.pauses.increment()
        apply(context: context)
        let waiting = NIOLockedValueBox(full.count)
        let resume = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        for queue in full {
            queue.whenRelieved {
                guard
                    waiting.withLockedValue({
                        $0 -= 1
                        return $0 == 0
                    })
                else { return }
                resume.eventLoop.execute {
                    let (pause, context) = resume.value
                    pause.queueFull = false
                    pause.activity?.paused.store(false, ordering: .relaxed)
                    pause.apply(context: context)
                }
            }
        }
    }

    /// The owner's own reason to stop reading, set or cleared.
    func hold(_ holding: Bool, context: ChannelHandlerContext) {
        guard holding != held else { return }
        held = holding
        apply(context: context)
    }

    private func apply(context: ChannelHandlerContext) {
        try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: !(queueFull || held))
    }
}

@available(*, unavailable)
extension ReadPause: Sendable {}
