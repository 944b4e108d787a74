extension SyslogLink {
    /// A syslog sink's connection logic with no I/O and no threads: methods take what happened,
    /// change the state and return a `Step` for the sink to perform. Time comes from `clock` only
    /// (`ContinuousClock` in the sink, a manual clock in tests), so retry times, the acceptance
    /// window and the short-lived check cannot be stretched by a wall-clock step.
    ///
    /// `Connection` is whatever the shell connects with (`SyslogConnection`); the machine only
    /// holds it and compares it, so tests drive it with plain values.
    struct StateMachine<C: Clock, Connection: Equatable & Sendable>: Sendable where C.Duration == Duration {
        /// A connection that counts: made (and, with TLS, accepted) at `since`.
        struct Current: Sendable {
            let connection: Connection
            let since: C.Instant
            /// When and why its peer left, once the event loop said so.
            var ended: (at: C.Instant, reason: String)?
        }

        enum State: Sendable {
            /// No connection. A connect waits for `retryNotBefore` (set by a failure, nil after a success).
            case idle(retryNotBefore: C.Instant?)
            /// The shell is opening a connection.
            case connecting
            /// A new TLS connection, watched for the server's refusal before it carries events.
            case proving(Connection)
            case open(Current)
            /// A batch is being written on the connection; `isNew`: made for this batch.
            case writing(Current, isNew: Bool)
            case closed
        }

        /// What the shell is doing (one at a time: it serialises them).
        enum Operation: Sendable {
            case delivery
            case probe
        }

        /// TLS 1.3 ends the client's handshake before the server has checked the client's
        /// certificate, so a server that refuses us says so just after our first write, which is
        /// then lost. Until a connection has shown that the server accepts us, it is watched this
        /// long before the first write.
        static var acceptanceWindow: Duration { .milliseconds(500) }
        /// A connection the peer ends sooner than this after it was made counts as a failed
        /// connect (a peer that accepts and closes at once); `sink_up` turns 1 in a probe only
        /// once a connection has lasted this long (or a batch went out on it).
        static var shortLived: Duration { .seconds(1) }
        /// A kept-connected sink probes this long after a connection ends.
        static var probeAfterEnd: Duration { .milliseconds(100) }
        /// When a caller of a closed sink may try again (a reload's replacement takes over).
        static var closedRetryAfterMilliseconds: Int { 1000 }

        let clock: C
        /// With TLS: a new connection must prove the server accepts us (see `acceptanceWindow`).
        let provesAcceptance: Bool
        private(set) var state: State = .idle(retryNotBefore: nil)
        private(set) var operation: Operation?
        /// nil before the first outcome, then whether the last one was up: transitions are
        /// reported once each.
        private(set) var isUp: Bool?
        /// Set again whenever a connection ends with a TLS error (the server may refuse us now).
        private(set) var mustProveAcceptance: Bool
        private(set) var keepingConnected = false
        /// A probe is scheduled and has not fired: another is not scheduled.
        private(set) var probePending = false
        private var backoff: ReconnectBackoff
        private var random: any RandomNumberGenerator & Sendable

        init(
            clock: C, backoff: ReconnectBackoff, provesAcceptance: Bool,
            random: any RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()
        ) {
            self.clock = clock
            self.backoff = backoff
            self.provesAcceptance = provesAcceptance
            self.mustProveAcceptance = provesAcceptance
            self.random = random
        }

        /// The connection held (being proved, open or written on), if any.
        var connection: Connection? {
            switch state {
            case .proving(let connection): connection
            case .open(let current), .writing(let current, _): current.connection
            case .idle, .connecting, .closed: nil
            }
        }

        // MARK: Events that arrive on their own

        /// The sink is to stay connected: probe at once, and whenever a connection ends.
        mutating func keepConnected() -> Action {
            guard !keepingConnected else { return .none }
            keepingConnected = true
            return scheduleProbe(after: .zero)
        }

        /// The event loop saw `connection` end (the peer's FIN, RST or TLS alert, or our close).
        /// The current connection is marked, so the next delivery or probe replaces it; a TLS
        /// error means the server may refuse us, so the next connection must prove otherwise.
        mutating func connectionEnded(_ ending: Connection, reason: String, byTLSError: Bool) -> Action {
            switch state {
            case .open(var current) where current.connection == ending && current.ended == nil:
                current.ended = (clock.now, reason)
                state = .open(current)
                if byTLSError { mustProveAcceptance = true }
            case .writing(var current, let isNew) where current.connection == ending && current.ended == nil:
                current.ended = (clock.now, reason)
                state = .writing(current, isNew: isNew)
                if byTLSError { mustProveAcceptance = true }
            default:
                break
            }
            return keepingConnected ? scheduleProbe(after: Self.probeAfterEnd) : .none
        }

        /// Stops for good: returns the connection to close. An operation under way ends as
        /// `closed` at its next event; `sink_up` is left as it is (a reload's replacement sink
        /// of the same name shares it).
        mutating func close() -> Connection? {
            defer { state = .closed }
            return connection
        }

        // MARK: A delivery

        /// A batch is to be written.
        mutating func startDelivery() -> Step {
            precondition(operation == nil, "one delivery or probe at a time")
            switch state {
            case .closed:
                return Step(.fail(.closed, retryAfterMilliseconds: Self.closedRetryAfterMilliseconds))
            case .idle(let retryNotBefore?) where clock.now < retryNotBefore:
                let left = clock.now.duration(to: retryNotBefore).roundedUpMilliseconds
                return Step(.fail(.backingOff, retryAfterMilliseconds: left))
            case .idle:
                operation = .delivery
                state = .connecting
                return Step(.connect)
            case .open(let current):
                operation = .delivery
                if let ended = current.ended {
                    state = .connecting
                    return Step(discard: current.connection, notice: .reconnecting(reason: ended.reason), .connect)
                }
                state = .writing(current, isNew: false)
                return Step(.write(current.connection))
            case .connecting, .proving, .writing:
                preconditionFailure("\(state) outside an operation")
            }
        }

        /// The batch is in the kernel's socket buffer.
        mutating func written() -> Step {
            switch state {
            case .writing(let current, _):
                state = .open(current)
                operation = nil
                backoff.reset()
                return Step(notice: markUp(isUp == nil ? .forwarding : .forwardingAgain), .delivered)
            case .closed:
                // It went out before `close()` could stop it.
                operation = nil
                return Step(.delivered)
            case .idle, .connecting, .proving, .open:
                preconditionFailure("written in \(state)")
            }
        }

        /// The write failed (`.peerGone` when the connection had died before it started, so nothing
        /// was written), or timed out. `endedByTLSError`: the connection ended with a TLS error.
        mutating func writeFailed(_ error: SyslogLinkError, endedByTLSError: Bool) -> Step {
            switch state {
            case .writing(let current, let isNew):
                if endedByTLSError { mustProveAcceptance = true }
                if case .peerGone(let reason) = error, !isNew {
                    // The peer left an idle connection: nothing was written, write on a new one now.
                    state = .connecting
                    return Step(discard: current.connection, notice: .reconnecting(reason: reason), .connect)
                }
                return fail(error, discarding: current.connection)
            case .closed:
                return endClosed(discarding: nil)
            case .idle, .connecting, .proving, .open:
                preconditionFailure("write failed in \(state)")
            }
        }

        // MARK: A probe

        /// The scheduled background probe is due.
        mutating func probeFired() -> Step {
            precondition(operation == nil, "one delivery or probe at a time")
            probePending = false
            let now = clock.now
            switch state {
            case .closed:
                return Step(.none)
            case .idle(let retryNotBefore?) where now < retryNotBefore:
                return Step(scheduleProbe(after: now.duration(to: retryNotBefore)))
            case .idle:
                operation = .probe
                state = .connecting
                return Step(.connect)
            case .open(let current):
                guard let ended = current.ended else {
                    // Alive: up once it has lasted, else look again when it will have.
                    let age = current.since.duration(to: now)
                    if age >= Self.shortLived { return Step(notice: markUp(.connected), .none) }
                    return Step(scheduleProbe(after: Self.shortLived - age))
                }
                operation = .probe
                let lifetime = current.since.duration(to: ended.at)
                if lifetime < Self.shortLived {
                    let milliseconds = lifetime.roundedUpMilliseconds
                    let error = SyslogLinkError.connectFailed(
                        "the peer closed the connection \(milliseconds) ms after it was made")
                    return fail(error, discarding: current.connection)
                }
                state = .connecting
                return Step(discard: current.connection, .connect)
            case .connecting, .proving, .writing:
                preconditionFailure("\(state) outside an operation")
            }
        }

        // MARK: Connecting (a delivery or a probe)

        /// The shell opened `connection`.
        mutating func connected(_ connection: Connection) -> Step {
            switch state {
            case .connecting:
                guard provesAcceptance && mustProveAcceptance else { return adopt(connection) }
                state = .proving(connection)
                return Step(.proveAcceptance(connection, within: Self.acceptanceWindow))
            case .closed:
                // Made after `close()`: nobody else will close it.
                return endClosed(discarding: connection)
            case .idle, .proving, .open, .writing:
                preconditionFailure("connected in \(state)")
            }
        }

        mutating func connectFailed(_ error: SyslogLinkError) -> Step {
            switch state {
            case .connecting:
                return fail(error, discarding: nil)
            case .closed:
                return endClosed(discarding: nil)
            case .idle, .proving, .open, .writing:
                preconditionFailure("connect failed in \(state)")
            }
        }

        /// The TLS server kept `connection` open for `acceptanceWindow`: it accepts us.
        mutating func accepted(_ connection: Connection) -> Step {
            switch state {
            case .proving(let proving) where proving == connection:
                mustProveAcceptance = false
                return adopt(connection)
            case .closed:
                // `close()` handed it back to be closed.
                return endClosed(discarding: nil)
            default:
                preconditionFailure("accepted in \(state)")
            }
        }

        /// The TLS server ended `connection` within `acceptanceWindow`: it refuses us.
        mutating func refused(_ connection: Connection, reason: String) -> Step {
            switch state {
            case .proving(let proving) where proving == connection:
                return fail(.refused(reason), discarding: connection)
            case .closed:
                return endClosed(discarding: nil)
            default:
                preconditionFailure("refused in \(state)")
            }
        }

        /// `close()` woke the shell's wait on the network.
        mutating func interrupted() -> Step {
            guard case .closed = state else { preconditionFailure("interrupted in \(state)") }
            return endClosed(discarding: nil)
        }

        // MARK: Helpers

        /// The connection counts from now: a delivery writes on it, a probe looks again once it
        /// has lasted `shortLived`.
        private mutating func adopt(_ connection: Connection) -> Step {
            let current = Current(connection: connection, since: clock.now)
            switch operation {
            case .delivery:
                state = .writing(current, isNew: true)
                return Step(notice: .connected(connection), .write(connection))
            case .probe:
                state = .open(current)
                operation = nil
                return Step(notice: .connected(connection), scheduleProbe(after: Self.shortLived))
            case nil:
                preconditionFailure("connected outside an operation")
            }
        }

        /// The attempt failed: no connection until the backoff has passed. A delivery fails with
        /// the delay; a probe schedules the next one after it. Down is reported on the transition.
        private mutating func fail(_ error: SyslogLinkError, discarding connection: Connection?) -> Step {
            let delay = backoff.nextDelay(using: &random)
            state = .idle(retryNotBefore: clock.now.advanced(by: .milliseconds(delay)))
            let wentDown = isUp != false
            isUp = false
            defer { operation = nil }
            switch operation {
            case .delivery:
                let notice = Notice.deliveryFailed(error, retryAfterMilliseconds: delay, wentDown: wentDown)
                return Step(discard: connection, notice: notice, .fail(error, retryAfterMilliseconds: delay))
            case .probe:
                return Step(
                    discard: connection, notice: wentDown ? .unreachable(error) : nil,
                    scheduleProbe(after: .milliseconds(delay)))
            case nil:
                preconditionFailure("failed outside an operation")
            }
        }

        /// An event after `close()`: the operation ends; a delivery fails as closed.
        private mutating func endClosed(discarding connection: Connection?) -> Step {
            defer { operation = nil }
            guard case .delivery = operation else { return Step(discard: connection, .none) }
            return Step(discard: connection, .fail(.closed, retryAfterMilliseconds: Self.closedRetryAfterMilliseconds))
        }

        private mutating func markUp(_ reason: Notice.UpReason) -> Notice? {
            guard isUp != true else { return nil }
            isUp = true
            return .up(reason)
        }

        /// At most one probe is pending, and none after `close()`.
        private mutating func scheduleProbe(after delay: Duration) -> Action {
            if case .closed = state { return .none }
            guard !probePending else { return .none }
            probePending = true
            return .probe(after: delay)
        }
    }
}
