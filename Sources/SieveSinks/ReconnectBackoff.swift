/// When to try a lost downstream connection again: 100 ms, doubling up to `maximum`, each delay
/// moved by up to ±20 % at random so that many senders do not retry in step. A pure value: the
/// sink asks for the next delay and reports success; tests drive it with a seeded generator.
public struct ReconnectBackoff: Sendable, Equatable {
    public static let initialMilliseconds = 100

    public let maximumMilliseconds: Int
    public let jitter: Double
    private var nextBase: Int

    public init(maximumMilliseconds: Int = 2000, jitter: Double = 0.2) {
        self.maximumMilliseconds = max(Self.initialMilliseconds, maximumMilliseconds)
        self.jitter = max(0, min(jitter, 1))
        self.nextBase = Self.initialMilliseconds
    }

    /// The delay before the next attempt, in milliseconds; each call doubles the base.
    public mutating func nextDelay(using generator: inout some RandomNumberGenerator) -> Int {
        let base = nextBase
        nextBase = min(maximumMilliseconds, base * 2)
        guard jitter > 0 else { return base }
        let spread = Double(base) * jitter
        return max(1, Int((Double(base) + Double.random(in: -spread...spread, using: &generator)).rounded()))
    }

    public mutating func nextDelay() -> Int {
        var generator = SystemRandomNumberGenerator()
        return nextDelay(using: &generator)
    }

    /// A connection worked: the next failure starts again at 100 ms.
    public mutating func reset() { nextBase = Self.initialMilliseconds }
}
