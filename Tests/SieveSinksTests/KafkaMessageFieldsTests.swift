import SieveEvent
import Testing

@testable import SieveSinks

/// The cluster and source host a Kafka message takes from its encoded event.
@Suite("Kafka message fields from encoded events")
struct KafkaMessageFieldsTests {
    static let json = Array(
        #"{"format":"percona-json","sqltext":"SELECT '\",\"cluster\":\"x' FROM t","cluster":"billing","decision":"keep_tables","syslog":{"facility":1,"severity":6,"timestamp":"Nov 22 01:30:19","hostname":"db-7","app_name":"percona-audit"},"peer":"10.0.0.1:5"}"#
            .utf8)

    @Test("JSON: the top-level cluster (not text inside a string) and syslog.hostname")
    func jsonFields() {
        let event = Self.json[...]
        #expect(
            KafkaMessageFields.cluster(in: event, encoding: .json).map { String(decoding: $0, as: UTF8.self) }
                == "billing")
        #expect(
            KafkaMessageFields.sourceHost(in: event, encoding: .json).map { String(decoding: $0, as: UTF8.self) }
                == "db-7")
    }

    @Test("raw: the syslog header's HOSTNAME, no cluster; an event without them gives nil")
    func rawAndMissing() {
        let raw = Array("<14>Nov 22 01:30:19 db-9 percona-audit: {}".utf8)[...]
        #expect(
            KafkaMessageFields.sourceHost(in: raw, encoding: .raw).map { String(decoding: $0, as: UTF8.self) } == "db-9"
        )
        #expect(KafkaMessageFields.cluster(in: raw, encoding: .raw) == nil)
        let bare = Array(#"{"format":"unknown"}"#.utf8)[...]
        #expect(KafkaMessageFields.cluster(in: bare, encoding: .json) == nil)
        #expect(KafkaMessageFields.sourceHost(in: bare, encoding: .json) == nil)
    }
}
