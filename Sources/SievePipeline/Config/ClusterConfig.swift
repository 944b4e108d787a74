/// Where a cluster's events go. For now only `default_cluster`, which takes every record; named
/// clusters with match rules and table allow-lists come with the rules engine.
public struct ClusterConfig: Sendable, Equatable {
    public var name: String
    public var sinks: [String]

    public init(name: String, sinks: [String]) {
        self.name = name
        self.sinks = sinks
    }
}
