import Metrics
import SieveRules

/// One cluster's accounting: received = kept + filtered, and the decision step behind each.
final class ClusterMetrics: Sendable {
    let received: Counter
    let kept: Counter
    let filtered: Counter
    /// Indexed by `DecisionStep.allCases` position, then 0 = filtered, 1 = kept.
    private let decisions: [[Counter]]

    init(cluster: String, factory: any MetricsFactory) {
        let c = ("cluster", cluster)
        received = Counter(label: "auditsieve_received_events_total", dimensions: [c], factory: factory)
        kept = Counter(label: "auditsieve_kept_events_total", dimensions: [c], factory: factory)
        filtered = Counter(label: "auditsieve_filtered_events_total", dimensions: [c], factory: factory)
        decisions = DecisionStep.allCases.map { step in
            ["filtered", "kept"].map { outcome in
                Counter(
                    label: "auditsieve_decisions_total",
                    dimensions: [c, ("step", step.rawValue), ("outcome", outcome)], factory: factory
                )
            }
        }
    }

    func count(_ tally: DecisionTally) {
        var kept: Int64 = 0
        var filtered: Int64 = 0
        for (stepIndex, pair) in tally.counts.enumerated() {
            if pair.filtered > 0 { decisions[stepIndex][0].increment(by: pair.filtered) }
            if pair.kept > 0 { decisions[stepIndex][1].increment(by: pair.kept) }
            kept += pair.kept
            filtered += pair.filtered
        }
        if kept + filtered > 0 { received.increment(by: kept + filtered) }
        if kept > 0 { self.kept.increment(by: kept) }
        if filtered > 0 { self.filtered.increment(by: filtered) }
    }
}

/// Per-batch decision counts for one cluster.
struct DecisionTally {
    /// `allCases` once, not per event.
    private static let steps = DecisionStep.allCases

    var counts = [(kept: Int64, filtered: Int64)](repeating: (0, 0), count: steps.count)
    var isEmpty = true

    mutating func add(_ decision: Decision) {
        let index = Self.steps.firstIndex(of: decision.step)!
        if decision.kept { counts[index].kept += 1 } else { counts[index].filtered += 1 }
        isEmpty = false
    }
}
