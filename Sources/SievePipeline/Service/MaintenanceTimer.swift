import Dispatch

/// Runs the server's once-a-second chores off the event loops: queue age gauges and settling
/// record gaps of hosts that went quiet.
final class MaintenanceTimer: @unchecked Sendable {
    private let timer: any DispatchSourceTimer

    init(every seconds: Double = 1, _ work: @escaping @Sendable () -> Void) {
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "auditsieve.maintenance"))
        timer.schedule(deadline: .now() + seconds, repeating: seconds, leeway: .milliseconds(100))
        timer.setEventHandler(handler: work)
        timer.resume()
    }

    func cancel() { timer.cancel() }

    deinit { timer.cancel() }
}
