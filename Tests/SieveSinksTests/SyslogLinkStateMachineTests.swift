@testable import SieveSinks
import Testing

/// `SyslogLink.StateMachine` event by event: no threads, sockets or sleeps; the time is a
/// `ManualClock` and connections are numbers.
@Suite("syslog link state machine")
struct SyslogLinkStateMachineTests {
    struct Peer: Equatable, Sendable, CustomStringConvertible {
        let id: Int
        var description: String { "peer \(id)" }
    }

    typealias Machine = SyslogLink.StateMachine<ManualClock, Peer>
    typealias Step = Machine.Step

    let clock = ManualClock()
    let p1 = Peer(id: 1)
    let p2 = Peer(id: 2)
    let p3 = Peer(id: 3)

    /// Backoff without jitter, 100 ms doubling to 800 ms.
    func machine(tls: Bool = false) -> Machine {
        Machine(clock: clock, backoff: ReconnectBackoff(maximumMilliseconds: 800, jitter: 0), provesAcceptance: tls)
    }

    /// A machine whose first delivery went out on `p1`, now open and up.
    func forwarding(tls: Bool = false) -> Machine {
        var link = machine(tls: tls)
        _ = link.startDelivery()
        if tls { _ = link.connected(p1) }
        _ = tls ? link.accepted(p1) : link.connected(p1)
        _ = link.written()
        return link
    }

    // MARK: Deliveries

    @Test("the first delivery connects, writes on the new connection, and reports up once")
    func firstDelivery() {
        var link = machine()
        #expect(link.isUp == nil)
        #expect(link.startDelivery() == Step(.connect))
        #expect(link.connected(p1) == Step(notice: .connected(p1), .write(p1)))
        #expect(link.written() == Step(notice: .up(.forwarding), .delivered))
        #expect(link.isUp == true)
        #expect(link.startDelivery() == Step(.write(p1)))
        #expect(link.written() == Step(.delivered), "up is reported on the transition only")
    }

    @Test("the first connect fails: the delivery fails with the backoff delay, and the sink goes down once")
    func firstConnectFails() {
        var link = machine()
        _ = link.startDelivery()
        let failure = SyslogLinkError.connectFailed("refused")
        #expect(
            link.connectFailed(failure)
                == Step(
                    notice: .deliveryFailed(failure, retryAfterMilliseconds: 100, wentDown: true),
                    .fail(failure, retryAfterMilliseconds: 100))
        )
        #expect(link.isUp == false)
        #expect(link.connection == nil)
    }

    @Test("while backing off a delivery fails at once with the time left; once it has passed, it connects")
    func backingOff() {
        var link = machine()
        _ = link.startDelivery()
        _ = link.connectFailed(.connectFailed("refused"))
        clock.advance(by: .milliseconds(30))
        #expect(link.startDelivery() == Step(.fail(.backingOff, retryAfterMilliseconds: 70)))
        clock.advance(by: .microseconds(69_500))
        #expect(link.startDelivery() == Step(.fail(.backingOff, retryAfterMilliseconds: 1)), "rounded up, never 0")
        clock.advance(by: .microseconds(500))
        #expect(link.startDelivery() == Step(.connect))
    }

    @Test("the backoff doubles up to its cap, later failures are not reported as new, and a delivered batch resets it")
    func backoffCapAndReset() {
        var link = machine()
        var delays: [Int] = []
        var wentDown: [Bool] = []
        for _ in 0..<6 {
            #expect(link.startDelivery() == Step(.connect))
            let step = link.connectFailed(.connectFailed("refused"))
            guard case .fail(_, let delay) = step.action, case .deliveryFailed(_, _, let down) = step.notice else {
                Issue.record("not a failure: \(step)")
                return
            }
            delays.append(delay)
            wentDown.append(down)
            clock.advance(by: .milliseconds(delay))
        }
        #expect(delays == [100, 200, 400, 800, 800, 800])
        #expect(wentDown == [true, false, false, false, false, false])

        _ = link.startDelivery()
        #expect(link.connected(p1) == Step(notice: .connected(p1), .write(p1)))
        #expect(link.written() == Step(notice: .up(.forwardingAgain), .delivered))
        _ = link.startDelivery()
        let failure = SyslogLinkError.writeFailed("reset")
        #expect(
            link.writeFailed(failure, endedByTLSError: false)
                == Step(
                    discard: p1, notice: .deliveryFailed(failure, retryAfterMilliseconds: 100, wentDown: true),
                    .fail(failure, retryAfterMilliseconds: 100))
        )
    }

    @Test("the peer left an idle connection before the write: the batch goes out on a new one at once, with no failure")
    func peerGoneBeforeWrite() {
        var link = forwarding()
        #expect(link.startDelivery() == Step(.write(p1)))
        #expect(
            link.writeFailed(.peerGone("FIN"), endedByTLSError: false)
                == Step(discard: p1, notice: .reconnecting(reason: "FIN"), .connect)
        )
        #expect(link.connected(p2) == Step(notice: .connected(p2), .write(p2)))
        #expect(link.written() == Step(.delivered))
        #expect(link.isUp == true)
    }

    @Test("a new connection whose peer is gone before the write fails the delivery")
    func peerGoneOnNewConnection() {
        var link = machine()
        _ = link.startDelivery()
        _ = link.connected(p1)
        let failure = SyslogLinkError.peerGone("RST")
        #expect(
            link.writeFailed(failure, endedByTLSError: false)
                == Step(
                    discard: p1, notice: .deliveryFailed(failure, retryAfterMilliseconds: 100, wentDown: true),
                    .fail(failure, retryAfterMilliseconds: 100))
        )
    }

    @Test("the event loop saw the peer leave: the next delivery closes that connection and writes on a new one at once")
    func endedBeforeDelivery() {
        var link = forwarding()
        #expect(link.connectionEnded(p1, reason: "the peer closed the connection", byTLSError: false) == .none)
        #expect(
            link.startDelivery()
                == Step(discard: p1, notice: .reconnecting(reason: "the peer closed the connection"), .connect))
        #expect(link.connected(p2) == Step(notice: .connected(p2), .write(p2)))
        #expect(
            link.connectionEnded(p1, reason: "late news", byTLSError: false) == .none, "about a connection already gone"
        )
        #expect(link.written() == Step(.delivered))
    }

    @Test(
        "a failed or stalled write closes the connection; the sink goes down and backs off",
        arguments: [SyslogLinkError.writeFailed("EPIPE"), .writeTimedOut(milliseconds: 300)]
    )
    func writeFails(failure: SyslogLinkError) {
        var link = forwarding()
        _ = link.startDelivery()
        #expect(
            link.writeFailed(failure, endedByTLSError: false)
                == Step(
                    discard: p1, notice: .deliveryFailed(failure, retryAfterMilliseconds: 100, wentDown: true),
                    .fail(failure, retryAfterMilliseconds: 100))
        )
        #expect(link.connection == nil)
        #expect(link.startDelivery() == Step(.fail(.backingOff, retryAfterMilliseconds: 100)))
    }

    // MARK: TLS acceptance

    @Test(
        "a new TLS connection is watched before its first write; once the server accepted us, new connections are not")
    func tlsAccepted() {
        var link = machine(tls: true)
        _ = link.startDelivery()
        #expect(link.connected(p1) == Step(.proveAcceptance(p1, within: .milliseconds(500))))
        #expect(link.accepted(p1) == Step(notice: .connected(p1), .write(p1)))
        #expect(link.written() == Step(notice: .up(.forwarding), .delivered))
        _ = link.startDelivery()
        _ = link.writeFailed(.peerGone("FIN"), endedByTLSError: false)
        #expect(link.connected(p2) == Step(notice: .connected(p2), .write(p2)))
    }

    @Test(
        "a TLS server that ends the connection in the window refuses us: the delivery fails, and the next connection is watched again"
    )
    func tlsRefused() {
        var link = machine(tls: true)
        _ = link.startDelivery()
        _ = link.connected(p1)
        let failure = SyslogLinkError.refused("alert: certificate required")
        #expect(
            link.refused(p1, reason: "alert: certificate required")
                == Step(
                    discard: p1, notice: .deliveryFailed(failure, retryAfterMilliseconds: 100, wentDown: true),
                    .fail(failure, retryAfterMilliseconds: 100))
        )
        clock.advance(by: .milliseconds(100))
        _ = link.startDelivery()
        #expect(link.connected(p2) == Step(.proveAcceptance(p2, within: .milliseconds(500))))
    }

    @Test(
        "a TLS error on an accepted connection (written or seen by the event loop) makes the next connection prove acceptance again"
    )
    func tlsErrorAfterAcceptance() {
        var link = forwarding(tls: true)
        _ = link.startDelivery()
        _ = link.writeFailed(.writeFailed("alert: bad certificate"), endedByTLSError: true)
        #expect(link.mustProveAcceptance)
        clock.advance(by: .milliseconds(100))
        _ = link.startDelivery()
        #expect(link.connected(p2) == Step(.proveAcceptance(p2, within: .milliseconds(500))))
        _ = link.accepted(p2)
        _ = link.written()

        _ = link.connectionEnded(p2, reason: "alert: certificate revoked", byTLSError: true)
        #expect(link.mustProveAcceptance)
        _ = link.startDelivery()
        #expect(link.connected(p3) == Step(.proveAcceptance(p3, within: .milliseconds(500))))
    }

    @Test("without TLS a connection is never watched for a refusal")
    func plainTCPNeverProves() {
        var link = machine(tls: false)
        #expect(!link.mustProveAcceptance)
        _ = link.startDelivery()
        #expect(link.connected(p1) == Step(notice: .connected(p1), .write(p1)))
    }
}
