import SieveEvent
import SieveSyslog

/// What a Kafka message takes from its encoded event, read from the bytes the queue holds (the
/// queue keeps only encodings): the event's cluster, for a topic with `{cluster}`, and its source
/// host, for the key. JSON: the top-level `"cluster":"…"` and `"syslog":{…"hostname":"…"`
/// (inside a JSON string a `"` is always escaped, so these byte sequences are only ever keys);
/// raw: the syslog header's HOSTNAME (no cluster).
enum KafkaMessageFields {
    private static let clusterKey = Array(#","cluster":""#.utf8)
    private static let syslogKey = Array(#""syslog":{"#.utf8)
    private static let hostnameKey = Array(#""hostname":""#.utf8)

    static func cluster(in event: ArraySlice<UInt8>, encoding: EventEncoding) -> ArraySlice<UInt8>? {
        guard encoding == .json else { return nil }
        return stringValue(after: clusterKey, in: event)
    }

    static func sourceHost(in event: ArraySlice<UInt8>, encoding: EventEncoding) -> ArraySlice<UInt8>? {
        switch encoding {
        case .json:
            guard let syslog = find(syslogKey, in: event) else { return nil }
            return stringValue(after: hostnameKey, in: event[syslog...])
        case .raw:
            let message = event.withUnsafeBytes { SyslogHeaderParser.parse($0) }
            guard let range = message.hostname, !range.isEmpty else { return nil }
            return event[(event.startIndex + range.lowerBound)..<(event.startIndex + range.upperBound)]
        }
    }

    /// The bytes of the string value right after `key` (up to its closing, unescaped quote).
    private static func stringValue(after key: [UInt8], in bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        guard let start = find(key, in: bytes) else { return nil }
        var index = start
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if bytes[index] == UInt8(ascii: "\"") { return bytes[start..<index] }
            index += 1
        }
        return nil
    }

    /// The index just past the first occurrence of `needle`.
    private static func find(_ needle: [UInt8], in bytes: ArraySlice<UInt8>) -> Int? {
        guard let first = needle.first, bytes.count >= needle.count else { return nil }
        var index = bytes.startIndex
        let last = bytes.endIndex - needle.count
        while index <= last {
            if bytes[index] == first, bytes[index..<(index + needle.count)].elementsEqual(needle) {
                return index + needle.count
            }
            index += 1
        }
        return nil
    }
}
