/// The clusters in config order plus the default cluster: the first cluster whose `match` fits a
/// record's origin takes it; records no cluster matches go to the default cluster.
public struct ClusterTable: Sendable {
    public let clusters: [ClusterPolicy]
    public let defaultCluster: ClusterPolicy

    /// Every policy, the default last: index `clusters.count` is the default cluster.
    public let all: [ClusterPolicy]

    public init(clusters: [ClusterPolicy], defaultCluster: ClusterPolicy) {
        self.clusters = clusters
        self.defaultCluster = defaultCluster
        self.all = clusters + [defaultCluster]
    }

    /// The index in `all` of the cluster that takes a record from `origin`.
    public func index(for origin: RecordOrigin) -> Int {
        if clusters.isEmpty { return 0 }
        for (index, cluster) in clusters.enumerated() where cluster.match?.matches(origin) ?? false {
            return index
        }
        return clusters.count
    }
}
