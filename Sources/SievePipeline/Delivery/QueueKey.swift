/// Names one queue: a cluster and one of its sinks. Its spool lives in `DIR/CLUSTER/SINK`.
struct QueueKey: Hashable, Sendable, CustomStringConvertible {
    var cluster: String
    var sink: String

    var description: String { "\(cluster)/\(sink)" }
}
