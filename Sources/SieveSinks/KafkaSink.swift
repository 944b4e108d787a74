import CRdKafka
import Logging
import Metrics
import NIOConcurrencyHelpers
import SieveEvent
import SieveSinkConfig
import Synchronization

/// Produces events to Kafka (`type: kafka`) with librdkafka: idempotent, `acks=all` unless set,
/// zstd. Each event is one message (its encoding, without the trailing LF), keyed by its source
/// host unless `key: none`, to `topic` (`{cluster}` replaced by the event's cluster). `deliver`
/// returns once every message of the batch has a delivery report saying it is stored: only then
/// do the events leave their queue. A message that fails (its broker unreachable for
/// `delivery_timeout_ms`, a refusal) fails the batch: the events stored from the batch's start
/// count as delivered, the rest is produced again (at least once). A broker outage therefore
/// fills the queue and its spool exactly as a dead syslog receiver does.
public final class KafkaSink: EventSink, @unchecked Sendable {
    public let name: String
    public let encoding: EventEncoding
    public var gatherMilliseconds: Int { 0 }
    public let metrics: SinkMetrics
    private let configuration: KafkaSinkConfiguration
    private let logger: Logger
    private let producer: OpaquePointer
    private let reports = KafkaDeliveryReports()
    /// Held for a whole delivery.
    private let lock = NIOLock()
    private let stopped = Atomic<Bool>(false)
    private var topics: [String: OpaquePointer] = [:]
    /// The last event's topic, and with `{cluster}` its cluster's bytes.
    private var lastTopic: OpaquePointer?
    private var lastCluster: [UInt8] = []

    /// Fails (`open_failed`) when librdkafka refuses the configuration.
    public init(configuration: KafkaSinkConfiguration, logger: Logger, metricsFactory: any MetricsFactory)
        throws(SinkError)
    {
        self.name = configuration.name
        self.encoding = configuration.encoding
        self.configuration = configuration
        self.logger = logger
        self.metrics = SinkMetrics(
            sink: configuration.name, errorCodes: [.writeFailed, .writeTimeout], factory: metricsFactory)
        guard let conf = rd_kafka_conf_new() else {
            throw SinkError(
                .openFailed, sink: configuration.name, reason: "librdkafka: no memory", retryAfterMilliseconds: 0)
        }
        var properties: [(String, String)] = [
            ("bootstrap.servers", configuration.brokers.joined(separator: ",")),
            ("acks", configuration.acks),
            ("enable.idempotence", "true"),
            ("compression.type", configuration.compression),
            ("message.timeout.ms", String(configuration.deliveryTimeoutMilliseconds)),
            ("linger.ms", "5"),
        ]
        properties += configuration.settings.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        var error = [CChar](repeating: 0, count: 512)
        for (key, value) in properties
        where rd_kafka_conf_set(conf, key, value, &error, error.count) != RD_KAFKA_CONF_OK {
            rd_kafka_conf_destroy(conf)
            throw SinkError(
                .openFailed, sink: configuration.name,
                reason: "librdkafka refuses \(key)=\(value): \(Self.text(error))", retryAfterMilliseconds: 0)
        }
        rd_kafka_conf_set_dr_msg_cb(conf, deliveryReportCallback)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(reports).toOpaque())
        guard let producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &error, error.count) else {
            rd_kafka_conf_destroy(conf)
            throw SinkError(
                .openFailed, sink: configuration.name, reason: "librdkafka: \(Self.text(error))",
                retryAfterMilliseconds: 0)
        }
        self.producer = producer
        metrics.up.record(0)
    }

    /// A NUL-terminated C error buffer as text.
    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit {
        for topic in topics.values { rd_kafka_topic_destroy(topic) }
        rd_kafka_destroy(producer)
    }

    public func deliver(_ batch: EventBatch) throws(SinkError) {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped.load(ordering: .relaxed) else {
            throw SinkError(.closed, sink: name, reason: "the sink is closed", retryAfterMilliseconds: 0)
        }
        reports.start(count: batch.count)
        var produced = 0
        for index in 0..<batch.count {
            guard produce(batch.event(index), index: index) else { break }
            produced += 1
        }
        // Every message produced gets a report within delivery_timeout_ms; a little more for the
        // reports themselves, then what is left is purged (reported failed).
        let deadline = ContinuousClock.now + .milliseconds(configuration.deliveryTimeoutMilliseconds + 5000)
        while reports.pending > batch.count - produced {
            if stopped.load(ordering: .relaxed) || ContinuousClock.now > deadline {
                rd_kafka_purge(producer, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
                rd_kafka_poll(producer, 100)
                break
            }
            rd_kafka_poll(producer, 100)
        }
        let stored = reports.storedPrefix
        if stored == batch.count {
            metrics.up.record(1)
            metrics.writtenBytes.increment(by: Int64(batch.byteCount))
            return
        }
        metrics.up.record(0)
        let error = reports.firstError
        let timedOut = error == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT
        let reason =
            error.map { "Kafka: \(String(cString: rd_kafka_err2str($0)))" }
            ?? "Kafka: \(produced) of \(batch.count) messages could be produced"
        let failure = SinkError(
            timedOut ? .writeTimeout : .writeFailed, sink: name, reason: reason, retryAfterMilliseconds: 1000,
            deliveredEvents: stored)
        metrics.countWriteError(failure.code)
        throw failure
    }

    /// Hands one message to librdkafka (waiting while its local queue is full); false when it refused it.
    private func produce(_ event: ArraySlice<UInt8>, index: Int) -> Bool {
        var payload = event
        while payload.last == 0x0A || payload.last == 0x0D { payload = payload.dropLast() }
        guard let topic = topic(for: payload) else { return false }
        let key =
            configuration.key == .sourceHost ? KafkaMessageFields.sourceHost(in: payload, encoding: encoding) : nil
        let opaque = UnsafeMutableRawPointer(bitPattern: index + 1)
        while true {
            // librdkafka copies value and key (RD_KAFKA_MSG_F_COPY): both are read in place here.
            let result = payload.withUnsafeBytes { value in
                let valuePointer = UnsafeMutableRawPointer(mutating: value.baseAddress)
                guard let key else {
                    return rd_kafka_produce(topic, -1, RD_KAFKA_MSG_F_COPY, valuePointer, value.count, nil, 0, opaque)
                }
                return key.withUnsafeBytes { keyBytes in
                    rd_kafka_produce(
                        topic, -1, RD_KAFKA_MSG_F_COPY, valuePointer, value.count, keyBytes.baseAddress,
                        keyBytes.count, opaque)
                }
            }
            if result == 0 { return true }
            guard rd_kafka_last_error() == RD_KAFKA_RESP_ERR__QUEUE_FULL, !stopped.load(ordering: .relaxed) else {
                logger.warning(
                    "Kafka refused a message",
                    metadata: [
                        "sink": "\(name)", "error": "\(String(cString: rd_kafka_err2str(rd_kafka_last_error())))",
                    ])
                return false
            }
            rd_kafka_poll(producer, 100)
        }
    }

    /// The topic handle for the event (`{cluster}` replaced), made once per name. A run of
    /// events for one topic (a fixed topic, or one cluster's) costs a byte comparison, not a
    /// name built and looked up per message.
    private func topic(for event: ArraySlice<UInt8>) -> OpaquePointer? {
        guard configuration.topicPerCluster else {
            if let lastTopic { return lastTopic }
            lastTopic = topic(named: configuration.topic)
            return lastTopic
        }
        let cluster = KafkaMessageFields.cluster(in: event, encoding: encoding) ?? Array("default".utf8)[...]
        if let lastTopic, lastCluster.elementsEqual(cluster) { return lastTopic }
        lastCluster = Array(cluster)
        lastTopic = topic(
            named: configuration.topic.replacing("{cluster}", with: String(decoding: cluster, as: UTF8.self)))
        return lastTopic
    }

    private func topic(named name: String) -> OpaquePointer? {
        if let topic = topics[name] { return topic }
        guard let topic = rd_kafka_topic_new(producer, name, nil) else { return nil }
        topics[name] = topic
        return topic
    }

    public func reopen() {}

    public func close() {
        stopped.store(true, ordering: .relaxed)
        lock.withLock {
            // What librdkafka still holds was not reported stored: its events stay queued.
            rd_kafka_purge(producer, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
            rd_kafka_poll(producer, 0)
        }
        metrics.up.record(0)
    }
}
