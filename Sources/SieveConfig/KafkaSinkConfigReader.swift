import SieveEvent
import SieveSinkConfig
import Yams

/// Reads a `type: kafka` sink's own keys.
enum KafkaSinkConfigReader {
    static let acksValues = ["all", "-1", "0", "1"]
    static let compressions = ["zstd", "lz4", "gzip", "snappy", "none"]

    static func read(
        _ section: ConfigReader.Section, name: String, encoding: EventEncoding, what: String, reader: ConfigReader
    ) -> KafkaSinkConfiguration {
        var sink = KafkaSinkConfiguration(name: name, brokers: [], topic: "", encoding: encoding)
        if let n = section["brokers"], let brokers = reader.strings(n, "\(what): brokers") {
            for broker in brokers where ListenerConfig.splitAddress(broker).map({ $0.port > 0 }) != true {
                reader.fail(
                    reader.line(n), "\(what): brokers: '\(broker)' must be HOST:PORT, e.g. kafka-1.internal:9092")
            }
            if brokers.isEmpty { reader.fail(reader.line(n), "\(what): brokers is empty; give at least one HOST:PORT") }
            sink.brokers = brokers
        } else if section["brokers"] == nil {
            reader.fail(section.line, "\(what): a kafka sink needs 'brokers', e.g. [kafka-1.internal:9092]")
        }
        if let n = section["topic"], let topic = reader.string(n, "\(what): topic") {
            let plain = topic.replacing("{cluster}", with: "x")
            if plain.isEmpty || plain.count > 249
                || !plain.utf8.allSatisfy(isTopicByte)
            {
                reader.fail(
                    reader.line(n),
                    "\(what): topic '\(topic)' must be 1 to 249 of a-z A-Z 0-9 . _ - (and {cluster}), e.g. audit.{cluster}"
                )
            }
            if topic.contains("{cluster}") && encoding == .raw {
                reader.fail(
                    reader.line(n),
                    "\(what): topic with {cluster} needs encoding: json (a raw event does not say its cluster)")
            }
            sink.topic = topic
        } else if section["topic"] == nil {
            reader.fail(section.line, "\(what): a kafka sink needs 'topic', e.g. audit.{cluster}")
        }
        if let n = section["key"], let v = reader.choice(n, "\(what): key", as: KafkaSinkConfiguration.Key.self) {
            sink.key = v
        }
        if let n = section["acks"], let v = reader.string(n, "\(what): acks") {
            if !acksValues.contains(v) { reader.fail(reader.line(n), "\(what): acks must be all, 1 or 0; got '\(v)'") }
            sink.acks = v
        }
        if let n = section["compression"], let v = reader.string(n, "\(what): compression") {
            if !compressions.contains(v) {
                reader.fail(
                    reader.line(n),
                    "\(what): compression must be one of \(compressions.joined(separator: " | ")); got '\(v)'")
            }
            sink.compression = v
        }
        if let n = section["delivery_timeout_ms"],
            let v = reader.int(n, "\(what): delivery_timeout_ms", range: 1000...3_600_000)
        {
            sink.deliveryTimeoutMilliseconds = v
        }
        if let n = section["settings"] {
            guard case .mapping(let mapping) = n else {
                reader.fail(reader.line(n), "\(what): settings must map librdkafka properties to values")
                return sink
            }
            let owned = ["bootstrap.servers", "acks", "enable.idempotence", "compression.type", "message.timeout.ms"]
            for (key, value) in mapping {
                guard let property = reader.string(key, "\(what): settings: a property"),
                    let text = reader.string(value, "\(what): settings: \(key.string ?? "")")
                else { continue }
                if owned.contains(property) {
                    reader.fail(
                        reader.line(key),
                        "\(what): settings: \(property) is set by the sink itself (brokers, acks, compression, delivery_timeout_ms; idempotence is always on); remove it here"
                    )
                }
                sink.settings[property] = text
            }
        }
        return sink
    }
}

/// A byte a Kafka topic name may hold: a-z A-Z 0-9 . _ -
private func isTopicByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"),
        UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
        true
    default: false
    }
}
