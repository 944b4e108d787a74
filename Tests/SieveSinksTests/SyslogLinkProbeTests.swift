@testable import SieveSinks
import Testing

/// `keepConnected()`: the link's background probe, event by event, on a `ManualClock`.
@Suite("syslog link probes")
struct SyslogLinkProbeTests {
    typealias Peer = SyslogLinkStateMachineTests.Peer
    typealias Machine = SyslogLinkStateMachineTests.Machine
    typealias Step = Machine.Step

    let clock = ManualClock()
    let p1 = Peer(id: 1)
    let p2 = Peer(id: 2)

    func machine() -> Machine {
        Machine(clock: clock, backoff: ReconnectBackoff(maximumMilliseconds: 800, jitter: 0), provesAcceptance: false)
    }

    /// A kept-connected machine whose probe made `p1` (not yet up).
    func probed() -> Machine {
        var link = machine()
        _ = link.keepConnected()
        _ = link.probeFired()
        _ = link.connected(p1)
        return link
    }

    @Test(
        "keepConnected probes at once, only once; the probe connects and looks again in 1 s; up once the connection has lasted"
    )
    func probeConnects() {
        var link = machine()
        #expect(link.keepConnected() == .probe(after: .zero))
        #expect(link.keepConnected() == .none)
        #expect(link.probeFired() == Step(.connect))
        #expect(link.connected(p1) == Step(notice: .connected(p1), .probe(after: .seconds(1))))
        clock.advance(by: .milliseconds(400))
        #expect(link.probeFired() == Step(.probe(after: .milliseconds(600))), "too young to count as up")
        clock.advance(by: .milliseconds(600))
        #expect(link.probeFired() == Step(notice: .up(.connected), .none))
        #expect(link.isUp == true)
        #expect(link.startDelivery() == Step(.write(p1)), "the probe's connection carries the first batch")
        #expect(link.written() == Step(.delivered))
    }

    @Test("a connection that ends: a probe 100 ms later replaces it")
    func endedConnectionIsReplaced() {
        var link = probed()
        clock.advance(by: .seconds(1))
        _ = link.probeFired()
        clock.advance(by: .seconds(5))
        #expect(
            link.connectionEnded(p1, reason: "the peer closed the connection", byTLSError: false)
                == .probe(after: .milliseconds(100)))
        #expect(link.connectionEnded(p1, reason: "again", byTLSError: false) == .none, "one probe pending at most")
        clock.advance(by: .milliseconds(100))
        #expect(link.probeFired() == Step(discard: p1, .connect))
        #expect(link.connected(p2) == Step(notice: .connected(p2), .probe(after: .seconds(1))))
        #expect(link.isUp == true, "still up: the downstream was reachable again at once")
    }

    @Test(
        "a connection the peer ends within 1 s counts as a failed connect: down, and the next probe waits for the backoff"
    )
    func shortLivedConnection() {
        var link = probed()
        clock.advance(by: .milliseconds(50))
        #expect(link.connectionEnded(p1, reason: "closed", byTLSError: false) == .none, "the 1 s probe is pending")
        clock.advance(by: .milliseconds(950))
        let failure = SyslogLinkError.connectFailed("the peer closed the connection 50 ms after it was made")
        #expect(
            link.probeFired() == Step(discard: p1, notice: .unreachable(failure), .probe(after: .milliseconds(100))))
        #expect(link.isUp == false)
        #expect(link.probeFired() == Step(.probe(after: .milliseconds(100))), "still backing off")
        clock.advance(by: .milliseconds(100))
        #expect(link.probeFired() == Step(.connect))
        _ = link.connected(p2)
        clock.advance(by: .milliseconds(10))
        _ = link.connectionEnded(p2, reason: "closed", byTLSError: false)
        clock.advance(by: .milliseconds(990))
        #expect(
            link.probeFired().action == .probe(after: .milliseconds(200)),
            "a probe's connect does not reset the backoff")
    }

    @Test("a probe that cannot connect reports down once, counts no write error, and probes again after the backoff")
    func probeFails() {
        var link = machine()
        _ = link.keepConnected()
        _ = link.probeFired()
        let failure = SyslogLinkError.connectFailed("refused")
        #expect(link.connectFailed(failure) == Step(notice: .unreachable(failure), .probe(after: .milliseconds(100))))
        clock.advance(by: .milliseconds(100))
        #expect(link.probeFired() == Step(.connect))
        #expect(link.connectFailed(failure) == Step(.probe(after: .milliseconds(200))), "down is reported once")
        clock.advance(by: .milliseconds(50))
        #expect(
            link.startDelivery() == Step(.fail(.backingOff, retryAfterMilliseconds: 150)),
            "deliveries wait for the same backoff")
    }

    @Test("a TLS probe proves acceptance too, and a refusal is a failed connect")
    func tlsProbe() {
        var link = Machine(
            clock: clock, backoff: ReconnectBackoff(maximumMilliseconds: 800, jitter: 0), provesAcceptance: true)
        _ = link.keepConnected()
        _ = link.probeFired()
        #expect(link.connected(p1) == Step(.proveAcceptance(p1, within: .milliseconds(500))))
        let failure = SyslogLinkError.refused("alert")
        #expect(
            link.refused(p1, reason: "alert")
                == Step(discard: p1, notice: .unreachable(failure), .probe(after: .milliseconds(100))))
        clock.advance(by: .milliseconds(100))
        _ = link.probeFired()
        _ = link.connected(p2)
        #expect(link.accepted(p2) == Step(notice: .connected(p2), .probe(after: .seconds(1))))
    }

    @Test("without keepConnected an ended connection schedules no probe")
    func noProbeWithoutKeepConnected() {
        var link = machine()
        _ = link.startDelivery()
        _ = link.connected(p1)
        _ = link.written()
        #expect(link.connectionEnded(p1, reason: "closed", byTLSError: false) == .none)
        #expect(!link.probePending)
    }
}
