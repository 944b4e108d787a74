@testable import SieveSinks
import SieveTestSupport
import Testing

/// The link driven by a simulated sink: seeded random deliveries, probes, network outcomes,
/// connection ends, clock steps and a close, with the invariants checked after every step.
@Suite("syslog link random sequences")
struct SyslogLinkRandomTests {
    typealias Peer = SyslogLinkStateMachineTests.Peer
    typealias Machine = SyslogLinkStateMachineTests.Machine
    typealias Step = Machine.Step

    /// What the simulated sink knows, and what the invariants compare against.
    struct Shell {
        var random: SeededRandom
        let clock = ManualClock()
        var link: Machine
        /// The action of the operation under way, waiting for its outcome.
        var pending: Machine.Action?
        var nextPeer = 1
        var opened: Set<Int> = []
        var closedPeers: Set<Int> = []
        var adopted: Set<Int> = []
        /// Connections the event loop said ended (reported to the link).
        var ended: Set<Int> = []
        var probesScheduled = 0
        var isClosed = false
        /// The gauge, as the notices set it (0 at start, as the sink records).
        var gauge = 0
        /// The last transition reported: up, down, or none yet.
        var reported: Bool?
        /// The last backoff delay, and whether a delivered batch reset it since.
        var lastDelay = 0
        var resetSinceLastDelay = true
        var steps = 0
        var retryNotBefore: ManualClock.Instant?
        /// How often each kind of step happened, to show the run exercised them.
        var seen: [String: Int] = [:]
        /// When the sink is closed: late in the run, or (half the seeds) only at the end.
        let closeAt: Int

        init(seed: UInt64, length: Int) {
            random = SeededRandom(seed: seed)
            closeAt = Bool.random(using: &random) ? Int.random(in: length / 2..<length, using: &random) : length + 1
            let tls = Bool.random(using: &random)
            link = Machine(
                clock: clock, backoff: ReconnectBackoff(maximumMilliseconds: 1600, jitter: 0), provesAcceptance: tls
            )
        }

        mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }

        /// One random event: an outcome of the operation under way, or something that happens on
        /// its own, or a new delivery or probe.
        mutating func step() {
            steps += 1
            if chance(30) { clock.advance(by: .milliseconds(Int.random(in: 0...400, using: &random))) }
            if steps == closeAt {
                isClosed = true
                if let connection = link.close() { close(connection) }
                return
            }
            if chance(10) {
                let loose = adopted.subtracting(ended)
                if let id = loose.randomElement(using: &random) {
                    ended.insert(id)
                    apply(Step(link.connectionEnded(Peer(id: id), reason: "ended", byTLSError: chance(20))))
                    return
                }
            }
            if chance(3) {
                apply(Step(link.keepConnected()))
                return
            }
            if let action = pending {
                pending = nil
                apply(outcome(of: action))
            } else {
                // A failure's retry time, which no connect may come before.
                retryNotBefore = nil
                if case .idle(let time?) = link.state { retryNotBefore = time }
                if probesScheduled > 0 && chance(40) {
                    probesScheduled -= 1
                    apply(link.probeFired())
                } else {
                    apply(link.startDelivery())
                }
                retryNotBefore = nil
            }
        }

        /// What the network did with `action`.
        mutating func outcome(of action: Machine.Action) -> Step {
            switch action {
            case .connect:
                if isClosed && chance(50) { return link.interrupted() }
                guard chance(60) else { return link.connectFailed(.connectFailed("refused")) }
                let peer = Peer(id: nextPeer)
                nextPeer += 1
                opened.insert(peer.id)
                return link.connected(peer)
            case .proveAcceptance(let peer, _):
                if isClosed && chance(50) { return link.interrupted() }
                return chance(70) ? link.accepted(peer) : link.refused(peer, reason: "alert")
            case .write:
                if isClosed && chance(50) { return link.interrupted() }
                switch Int.random(in: 0..<10, using: &random) {
                case 0: return link.writeFailed(.peerGone("FIN"), endedByTLSError: false)
                case 1: return link.writeFailed(.writeFailed("RST"), endedByTLSError: chance(30))
                case 2: return link.writeFailed(.writeTimedOut(milliseconds: 300), endedByTLSError: false)
                default: return link.written()
                }
            case .none, .delivered, .fail, .probe:
                preconditionFailure("\(action) has no outcome")
            }
        }

        mutating func close(_ connection: Peer) {
            #expect(
                opened.contains(connection.id) && !closedPeers.contains(connection.id),
                "closes \(connection) once, after it was opened")
            closedPeers.insert(connection.id)
        }

        /// Performs `step` as the sink would, checking the invariants.
        mutating func apply(_ step: Step) {
            if let connection = step.discard { close(connection) }
            if let notice = step.notice { record(notice) }
            seen[Self.kind(of: step), default: 0] += 1
            switch step.action {
            case .connect:
                #expect(!isClosed, "no connect after close")
                #expect(
                    opened.subtracting(closedPeers).isEmpty,
                    "every earlier connection is closed before a new one (step \(steps))")
                #expect(retryNotBefore.map { clock.now >= $0 } ?? true, "no connect before the retry time")
                pending = step.action
            case .proveAcceptance(let peer, _):
                #expect(link.provesAcceptance && !isClosed)
                #expect(opened.contains(peer.id) && !adopted.contains(peer.id))
                pending = step.action
            case .write(let peer):
                #expect(!isClosed, "no write after close (step \(steps))")
                #expect(adopted.contains(peer.id) && !closedPeers.contains(peer.id), "writes on a live connection only")
                #expect(!ended.contains(peer.id), "never on a connection known to have ended")
                #expect(link.connection == peer)
                pending = step.action
            case .delivered:
                if !isClosed { #expect(gauge == 1 && reported == true, "up after a delivered batch") }
                resetSinceLastDelay = true
                lastDelay = 0
            case .fail(let error, let retryAfter):
                switch error {
                case .closed:
                    #expect(isClosed && retryAfter == 1000)
                case .backingOff:
                    let left = retryNotBefore.map { clock.now.duration(to: $0) } ?? .zero
                    #expect(
                        left > .zero && retryAfter == left.roundedUpMilliseconds,
                        "fails only before the retry time, with the time left")
                    #expect(retryAfter <= 1600)
                default:
                    #expect(gauge == 0 && reported == false, "down after a failed delivery")
                }
            case .probe(let delay):
                #expect(!isClosed, "no probe after close")
                probesScheduled += 1
                #expect(probesScheduled <= 1, "one probe pending at most")
                #expect(delay >= .zero && delay <= .milliseconds(1600))
            case .none:
                break
            }
            #expect(
                link.connection.map { opened.contains($0.id) && !closedPeers.contains($0.id) } ?? true,
                "holds a live connection or none")
            #expect((pending == nil) == (link.operation == nil), "an operation lasts until its last action")
        }

        static func kind(of step: Step) -> String {
            switch (step.action, step.notice) {
            case (.fail(let error, _), _): "fail \(error.code.rawValue)"
            case (_, .reconnecting): "reconnect"
            case (_, .unreachable): "probe down"
            case (.probe, _): "probe scheduled"
            case (let action, _): "\(action)".prefix { $0 != "(" }.description
            }
        }

        mutating func record(_ notice: Machine.Notice) {
            switch notice {
            case .connected(let peer):
                #expect(opened.contains(peer.id) && !adopted.contains(peer.id), "each connection counts once")
                adopted.insert(peer.id)
            case .up:
                #expect(reported != true, "up is reported once per run")
                reported = true
                gauge = 1
            case .deliveryFailed(_, let delay, let wentDown):
                #expect(wentDown == (reported != false), "down is reported once per run")
                checkBackoff(delay)
                reported = false
                gauge = 0
            case .unreachable:
                #expect(reported != false, "down is reported once per run")
                reported = false
                gauge = 0
            case .reconnecting:
                break
            }
        }

        mutating func checkBackoff(_ delay: Int) {
            #expect(delay >= 100 && delay <= 1600)
            if !resetSinceLastDelay {
                #expect(delay >= lastDelay, "the backoff never shrinks until a batch is delivered")
            }
            lastDelay = delay
            resetSinceLastDelay = false
        }

        /// Closes the sink and lets the operation under way end: every connection opened is closed.
        mutating func finish() {
            if !isClosed {
                isClosed = true
                if let connection = link.close() { close(connection) }
            }
            while let action = pending {
                pending = nil
                apply(outcome(of: action))
            }
            #expect(link.operation == nil)
            #expect(opened == closedPeers, "no connection left open")
        }
    }

    @Test("invariants hold after every step of seeded random sequences", arguments: 1...40)
    func randomSequence(seed: UInt64) {
        let length = 2000
        var shell = Shell(seed: seed, length: length)
        for _ in 0..<length { shell.step() }
        shell.finish()
        for kind in [
            "connect", "write", "delivered", "fail connect_failed", "fail write_timeout", "fail backing_off",
            "reconnect", "probe scheduled",
        ] {
            #expect(shell.seen[kind, default: 0] > 0, "seed \(seed) never saw \(kind): \(shell.seen)")
        }
    }
}
