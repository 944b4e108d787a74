import CRdKafka

/// The delivery reports of the batch being produced, by event index: librdkafka calls
/// `deliveryReportCallback` from `rd_kafka_poll` on the delivering thread, with this object as
/// the producer's opaque and the event's index + 1 as the message's.
final class KafkaDeliveryReports {
    enum State: UInt8 {
        case pending, stored, failed
    }

    private(set) var states: [State] = []
    private(set) var pending = 0
    /// The first error reported for the batch.
    private(set) var firstError: rd_kafka_resp_err_t?

    func start(count: Int) {
        states = Array(repeating: .pending, count: count)
        pending = count
        firstError = nil
    }

    func report(index: Int, error: rd_kafka_resp_err_t) {
        guard states.indices.contains(index), states[index] == .pending else { return }
        pending -= 1
        if error == RD_KAFKA_RESP_ERR_NO_ERROR {
            states[index] = .stored
        } else {
            states[index] = .failed
            if firstError == nil { firstError = error }
        }
    }

    /// Events stored from the batch's start, before the first that was not.
    var storedPrefix: Int { states.firstIndex { $0 != .stored } ?? states.count }
}

/// librdkafka's delivery report callback (a C function: the reports object comes as the opaque).
let deliveryReportCallback:
    @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
        _, message, opaque in
        guard let message, let opaque else { return }
        let reports = Unmanaged<KafkaDeliveryReports>.fromOpaque(opaque).takeUnretainedValue()
        let index = Int(bitPattern: message.pointee._private) - 1
        reports.report(index: index, error: message.pointee.err)
    }
