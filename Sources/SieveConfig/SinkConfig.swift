import SieveEvent
import SieveRedact
import SieveSinkConfig

/// One entry of `sinks:`: the sink's own configuration type (its defaults are written there,
/// once), with what the config file adds around it (`redact:` and the line).
public enum SinkConfig: Sendable, Equatable {
    /// `type: file` (target `.file(path:)`) and `type: stdout` (target `.standardOutput`).
    case file(FileSinkConfiguration, SinkOptions)
    case syslog(SyslogSinkConfiguration, SinkOptions)
    case relp(RELPSinkConfiguration, SinkOptions)
    case kafka(KafkaSinkConfiguration, SinkOptions)

    /// The `type:` values, for the reader's keys and messages.
    public enum Kind: String, Sendable, CaseIterable {
        case file, stdout, syslog, relp, kafka
    }

    public var name: String {
        switch self {
        case .file(let sink, _): sink.name
        case .syslog(let sink, _): sink.name
        case .relp(let sink, _): sink.name
        case .kafka(let sink, _): sink.name
        }
    }

    public var kind: Kind {
        switch self {
        case .file(let sink, _): sink.target == .standardOutput ? .stdout : .file
        case .syslog: .syslog
        case .relp: .relp
        case .kafka: .kafka
        }
    }

    public var encoding: EventEncoding {
        switch self {
        case .file(let sink, _): sink.encoding
        case .syslog(let sink, _): sink.encoding
        case .relp(let sink, _): sink.encoding
        case .kafka(let sink, _): sink.encoding
        }
    }

    /// A file sink's path; nil for the other types.
    public var path: String? {
        guard case .file(let sink, _) = self, case .file(let path) = sink.target else { return nil }
        return path
    }

    /// A file or stdout sink's settings; nil for the other types.
    public var file: FileSinkConfiguration? {
        guard case .file(let sink, _) = self else { return nil }
        return sink
    }

    /// A syslog sink's settings; nil for the other types.
    public var syslog: SyslogSinkConfiguration? {
        guard case .syslog(let sink, _) = self else { return nil }
        return sink
    }

    public var options: SinkOptions {
        get {
            switch self {
            case .file(_, let options), .syslog(_, let options), .relp(_, let options), .kafka(_, let options): options
            }
        }
        set {
            switch self {
            case .file(let sink, _): self = .file(sink, newValue)
            case .syslog(let sink, _): self = .syslog(sink, newValue)
            case .relp(let sink, _): self = .relp(sink, newValue)
            case .kafka(let sink, _): self = .kafka(sink, newValue)
            }
        }
    }

    /// `redact:`: what is masked in each event this sink gets, before it is encoded (and spooled);
    /// `nil`: the events as received. Only with `encoding: json`.
    public var redaction: Redaction? {
        get { options.redaction }
        set { options.redaction = newValue }
    }

    /// The config line, for messages (0: not from a file).
    public var line: Int {
        get { options.line }
        set { options.line = newValue }
    }
}
