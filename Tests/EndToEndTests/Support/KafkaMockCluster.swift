import CRdKafka
import Foundation

/// librdkafka's built-in mock cluster (`rd_kafka_mock_cluster_new`): real Kafka brokers speaking
/// the real protocol on loopback ports, inside the test process (no Kafka broker is packaged for
/// Debian). Lives as long as this object; `consume` reads a topic from the start.
final class KafkaMockCluster: @unchecked Sendable {
    private let handle: OpaquePointer
    private let cluster: OpaquePointer
    /// `host:port,…` of the mock brokers.
    let bootstraps: String

    init(brokers: Int32 = 1) throws {
        var error = [CChar](repeating: 0, count: 512)
        guard let conf = rd_kafka_conf_new() else { throw TestFailure("rd_kafka_conf_new") }
        guard let handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &error, error.count) else {
            throw TestFailure(
                "rd_kafka_new: \(String(decoding: error.prefix { $0 != 0 }.map(UInt8.init), as: UTF8.self))")
        }
        guard let cluster = rd_kafka_mock_cluster_new(handle, brokers) else {
            rd_kafka_destroy(handle)
            throw TestFailure("rd_kafka_mock_cluster_new failed")
        }
        self.handle = handle
        self.cluster = cluster
        self.bootstraps = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
        rd_kafka_destroy(handle)
    }

    func createTopic(_ name: String, partitions: Int32) {
        _ = rd_kafka_mock_topic_create(cluster, name, partitions, 1)
    }

    /// Disconnects broker `id` (1-based) and refuses new connections to it, or lets them in again.
    func setBroker(_ id: Int32, up: Bool) {
        _ = up ? rd_kafka_mock_broker_set_up(cluster, id) : rd_kafka_mock_broker_set_down(cluster, id)
    }

    /// Every message of `topic`'s partitions from offset 0: (partition, key, value), in each
    /// partition's order; stops once `until` holds or after `timeout`.
    func consume(
        topic: String, partitions: Int32, timeout: Duration = .seconds(30),
        until: ([(partition: Int32, key: String, value: String)]) -> Bool
    ) throws -> [(partition: Int32, key: String, value: String)] {
        var error = [CChar](repeating: 0, count: 512)
        guard let conf = rd_kafka_conf_new() else { throw TestFailure("rd_kafka_conf_new") }
        for (key, value) in [
            ("bootstrap.servers", bootstraps), ("group.id", "auditsieve-test-\(UUID().uuidString)"),
            ("enable.auto.commit", "false"),
        ] {
            _ = rd_kafka_conf_set(conf, key, value, &error, error.count)
        }
        guard let consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, &error, error.count) else {
            throw TestFailure("consumer: \(String(decoding: error.prefix { $0 != 0 }.map(UInt8.init), as: UTF8.self))")
        }
        defer {
            rd_kafka_consumer_close(consumer)
            rd_kafka_destroy(consumer)
        }
        let list = rd_kafka_topic_partition_list_new(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for partition in 0..<partitions {
            let entry = rd_kafka_topic_partition_list_add(list, topic, partition)
            entry?.pointee.offset = Int64(RD_KAFKA_OFFSET_BEGINNING)
        }
        rd_kafka_assign(consumer, list)
        var messages: [(partition: Int32, key: String, value: String)] = []
        let deadline = ContinuousClock.now + timeout
        while !until(messages), ContinuousClock.now < deadline {
            guard let message = rd_kafka_consumer_poll(consumer, 100) else { continue }
            defer { rd_kafka_message_destroy(message) }
            guard message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            let key =
                message.pointee.key.map {
                    String(decoding: UnsafeRawBufferPointer(start: $0, count: message.pointee.key_len), as: UTF8.self)
                } ?? ""
            let value =
                message.pointee.payload.map {
                    String(decoding: UnsafeRawBufferPointer(start: $0, count: message.pointee.len), as: UTF8.self)
                } ?? ""
            messages.append((message.pointee.partition, key, value))
        }
        return messages
    }
}
