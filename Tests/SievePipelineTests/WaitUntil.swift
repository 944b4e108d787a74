import Testing

/// Polls `condition` every `interval` until it holds; true then. At `timeout` it records an issue
/// saying what was awaited and returns false. The deadline bounds a hang: it is not what a test
/// measures, so it is generous. Use instead of "sleep, then check".
@discardableResult
func waitUntil(
    _ what: @autoclosure () -> String, timeout: Duration = .seconds(15), every interval: Duration = .milliseconds(5),
    sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        if try await condition() { return true }
        if clock.now >= deadline {
            Issue.record("timed out after \(timeout) waiting until \(what())", sourceLocation: sourceLocation)
            return false
        }
        try? await Task.sleep(for: interval)
    }
}
