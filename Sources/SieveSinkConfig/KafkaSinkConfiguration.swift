import SieveEvent

/// Where and how a `KafkaSink` produces events: librdkafka's producer, idempotent, `acks=all`.
public struct KafkaSinkConfiguration: Sendable, Equatable {
    /// What a message's key is.
    public enum Key: String, Sendable, Equatable, CaseIterable {
        /// The event's source host (its syslog HOSTNAME): one host's records stay in one partition, in order.
        case sourceHost = "source_host"
        /// No key: librdkafka spreads messages over the partitions.
        case none
    }

    public var name: String
    /// `host:port` of the bootstrap brokers.
    public var brokers: [String]
    /// The topic; `{cluster}` is replaced by the event's cluster.
    public var topic: String
    public var key: Key
    public var encoding: EventEncoding
    /// librdkafka's `acks` (`all`, `1`, `0`); `all` unless set.
    public var acks: String
    /// librdkafka's `compression.type` (`zstd`, `lz4`, `gzip`, `snappy`, `none`).
    public var compression: String
    /// How long a message may wait for its broker before its delivery fails
    /// (librdkafka's `message.timeout.ms`); the batch is then sent again.
    public var deliveryTimeoutMilliseconds: Int
    /// Further librdkafka properties, passed through as given (TLS: `security.protocol`,
    /// `ssl.ca.location`…; SASL: `sasl.mechanisms`, `sasl.username`…).
    public var settings: [String: String]

    public init(
        name: String, brokers: [String], topic: String, key: Key = .sourceHost, encoding: EventEncoding = .json,
        acks: String = "all", compression: String = "zstd", deliveryTimeoutMilliseconds: Int = 30_000,
        settings: [String: String] = [:]
    ) {
        self.name = name
        self.brokers = brokers
        self.topic = topic
        self.key = key
        self.encoding = encoding
        self.acks = acks
        self.compression = compression
        self.deliveryTimeoutMilliseconds = deliveryTimeoutMilliseconds
        self.settings = settings
    }

    /// The topic holds `{cluster}`.
    public var topicPerCluster: Bool { topic.contains("{cluster}") }
}
