@testable import SieveSinks
import Testing

/// `close()` from every state: it hands back the connection to close, the operation under way
/// ends as closed at its next event, and nothing connects, writes or probes afterwards.
@Suite("syslog link close")
struct SyslogLinkCloseTests {
    typealias Peer = SyslogLinkStateMachineTests.Peer
    typealias Machine = SyslogLinkStateMachineTests.Machine
    typealias Step = Machine.Step

    static let p1 = Peer(id: 1)
    static let p2 = Peer(id: 2)
    static let closedFailure = Step(.fail(.closed, retryAfterMilliseconds: 1000))

    enum Setup: String, CaseIterable {
        case fresh, backingOff, deliveryConnecting, probeConnecting, proving, open, writing, closed
    }

    /// A kept-connected TLS machine brought to `setup`.
    static func machine(_ setup: Setup, clock: ManualClock) -> Machine {
        var link = Machine(
            clock: clock, backoff: ReconnectBackoff(maximumMilliseconds: 800, jitter: 0), provesAcceptance: true)
        _ = link.keepConnected()
        switch setup {
        case .fresh:
            break
        case .backingOff:
            _ = link.startDelivery()
            _ = link.connectFailed(.connectFailed("refused"))
        case .deliveryConnecting:
            _ = link.startDelivery()
        case .probeConnecting:
            _ = link.probeFired()
        case .proving:
            _ = link.startDelivery()
            _ = link.connected(p1)
        case .open, .writing:
            _ = link.startDelivery()
            _ = link.connected(p1)
            _ = link.accepted(p1)
            _ = link.written()
            if setup == .writing { _ = link.startDelivery() }
        case .closed:
            _ = link.close()
        }
        return link
    }

    @Test("close hands back the connection held, if any", arguments: Setup.allCases)
    func closeReturnsTheConnection(setup: Setup) {
        var link = Self.machine(setup, clock: ManualClock())
        let expected: Peer? = [.proving, .open, .writing].contains(setup) ? Self.p1 : nil
        #expect(link.close() == expected)
        #expect(link.connection == nil)
        #expect(link.close() == nil, "a second close has nothing to close")
    }

    @Test("the operation under way ends as closed at its next event, whatever the network said")
    func operationEndsClosed() {
        let clock = ManualClock()
        var link = Self.machine(.deliveryConnecting, clock: clock)
        _ = link.close()
        #expect(
            link.connected(Self.p2) == Step(discard: Self.p2, .fail(.closed, retryAfterMilliseconds: 1000)),
            "a late connection is closed")

        link = Self.machine(.deliveryConnecting, clock: clock)
        _ = link.close()
        #expect(link.connectFailed(.connectFailed("refused")) == Self.closedFailure, "not counted as a failure")
        #expect(link.isUp == nil)

        link = Self.machine(.deliveryConnecting, clock: clock)
        _ = link.close()
        #expect(link.interrupted() == Self.closedFailure)

        link = Self.machine(.probeConnecting, clock: clock)
        _ = link.close()
        #expect(link.connected(Self.p2) == Step(discard: Self.p2, .none), "a probe just stops")

        link = Self.machine(.proving, clock: clock)
        _ = link.close()
        #expect(link.accepted(Self.p1) == Self.closedFailure, "close() handed it back already")
        link = Self.machine(.proving, clock: clock)
        _ = link.close()
        #expect(link.refused(Self.p1, reason: "closed") == Self.closedFailure)

        link = Self.machine(.writing, clock: clock)
        _ = link.close()
        #expect(link.writeFailed(.writeFailed("channel closed"), endedByTLSError: false) == Self.closedFailure)
        link = Self.machine(.writing, clock: clock)
        _ = link.close()
        #expect(link.interrupted() == Self.closedFailure)
        link = Self.machine(.writing, clock: clock)
        _ = link.close()
        #expect(link.written() == Step(.delivered), "a batch the kernel took before the close is delivered")
        #expect(link.operation == nil)
    }

    @Test("after close nothing connects, writes or probes", arguments: Setup.allCases)
    func nothingAfterClose(setup: Setup) {
        let clock = ManualClock()
        var link = Self.machine(setup, clock: clock)
        _ = link.close()
        switch setup {
        case .deliveryConnecting: _ = link.interrupted()
        case .probeConnecting: _ = link.connectFailed(.connectFailed("refused"))
        case .proving, .writing: _ = link.interrupted()
        case .fresh, .backingOff, .open, .closed: break
        }
        clock.advance(by: .seconds(10))
        #expect(link.startDelivery() == Self.closedFailure)
        #expect(link.probeFired() == Step(.none))
        #expect(link.connectionEnded(Self.p1, reason: "closed", byTLSError: false) == .none)
        #expect(link.keepConnected() == .none)
        #expect(link.operation == nil)
    }
}
