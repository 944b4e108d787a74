extension Duration {
    /// Whole milliseconds, rounded up: a wait of this many is never shorter than the duration.
    var roundedUpMilliseconds: Int {
        let (seconds, attoseconds) = components
        let perMillisecond: Int64 = 1_000_000_000_000_000
        let (milliseconds, rest) = attoseconds.quotientAndRemainder(dividingBy: perMillisecond)
        return Int(seconds * 1000 + milliseconds + (rest > 0 ? 1 : 0))
    }
}
