import SieveConfig

/// Names one queue: a cluster and one of its sinks. Its spool lives in `DIR/CLUSTER/SINK`.
package struct QueueKey: Hashable, Sendable, CustomStringConvertible {
    package var cluster: String
    package var sink: String

    package init(cluster: String, sink: String) {
        self.cluster = cluster
        self.sink = sink
    }

    package var description: String { "\(cluster)/\(sink)" }
}
