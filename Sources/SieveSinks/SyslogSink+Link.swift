import Dispatch
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The I/O the link asks for: connecting, proving a TLS server accepts us, writing, probing in
/// the background, and the metrics and logs of its notices. Each network wait reports its outcome
/// to the link, which answers with the next step.
extension SyslogSink {
    /// Closes what the step discards, records its notice, and schedules a probe it asks for.
    func perform(_ step: Link.Step) {
        if let connection = step.discard { discard(connection) }
        if let notice = step.notice { record(notice) }
        if case .probe(let delay) = step.action { scheduleProbe(after: delay) }
    }

    /// Opens a connection (`.connect`) or watches a new TLS one for a refusal (`.proveAcceptance`).
    func connect(_ action: Link.Action) -> Link.Step {
        switch action {
        case .connect:
            let timeout = configuration.connectTimeoutMilliseconds
            let future = SyslogConnection.open(
                host: configuration.host, port: configuration.port, group: group, tls: tls,
                timeout: .milliseconds(Int64(timeout))
            )
            // The future settles within `timeout` on its own; the margin only covers a busy event loop.
            switch waiter.wait(for: future, milliseconds: timeout + 1000) {
            case .success(let connection):
                return link.withLockedValue { $0.connected(connection) }
            case .failure(let error):
                let failure = error as? SyslogLinkError ?? .connectFailed("\(error)")
                return link.withLockedValue { $0.connectFailed(failure) }
            case .timedOut:
                future.whenSuccess { $0.close() }
                return link.withLockedValue { $0.connectFailed(.connectFailed("no connection within \(timeout) ms")) }
            case .interrupted:
                future.whenSuccess { $0.close() }
                return link.withLockedValue { $0.interrupted() }
            }
        case .proveAcceptance(let connection, let window):
            switch waiter.wait(for: connection.channel.closeFuture, milliseconds: window.roundedUpMilliseconds) {
            case .timedOut:
                return link.withLockedValue { $0.accepted(connection) }
            case .success, .failure:
                let reason = connection.endReason ?? "connection closed"
                return link.withLockedValue { $0.refused(connection, reason: reason) }
            case .interrupted:
                connection.close()
                return link.withLockedValue { $0.interrupted() }
            }
        case .none, .write, .delivered, .fail, .probe:
            preconditionFailure("\(action) is not a connect")
        }
    }

    /// Writes the batch and waits for the kernel to take it, at most the write timeout.
    func write(_ bytes: ByteBuffer, chunkEnds: [Int], on connection: SyslogConnection, written: NIOLockedValueBox<Int>)
        -> Link.Step
    {
        let timeout = configuration.writeTimeoutMilliseconds
        let outcome = waiter.wait(
            for: connection.write(bytes, chunkEnds: chunkEnds, written: written), milliseconds: timeout)
        let byTLSError = connection.endedByTLSError
        return link.withLockedValue { link in
            switch outcome {
            case .success:
                link.written()
            case .failure(let error):
                link.writeFailed(error as? SyslogLinkError ?? .writeFailed("\(error)"), endedByTLSError: byTLSError)
            case .timedOut:
                link.writeFailed(.writeTimedOut(milliseconds: timeout), endedByTLSError: byTLSError)
            case .interrupted:
                link.interrupted()
            }
        }
    }

    /// The probe blocks on the network: it runs on a dispatch queue, never on an event loop.
    func scheduleProbe(after delay: Duration) {
        group.next().scheduleTask(in: TimeAmount(delay)) { [weak self] in
            guard let self else { return }
            DispatchQueue.global().async { self.probe() }
        }
    }

    /// One background probe: the link's steps until it has nothing more to do.
    private func probe() {
        network.withLockedValue { _ in
            var step = link.withLockedValue { $0.probeFired() }
            while true {
                perform(step)
                switch step.action {
                case .connect, .proveAcceptance:
                    step = connect(step.action)
                case .none, .probe:
                    return
                case .write, .delivered, .fail:
                    preconditionFailure("a probe writes nothing")
                }
            }
        }
    }

    private func connectionEnded(_ connection: SyslogConnection) {
        let reason = connection.endReason ?? "connection closed"
        let byTLSError = connection.endedByTLSError
        perform(
            Link.Step(link.withLockedValue { $0.connectionEnded(connection, reason: reason, byTLSError: byTLSError) }))
    }

    private func discard(_ connection: SyslogConnection) {
        connection.close()
        if connection.discardedBytes > 0 {
            logger.debug(
                "syslog peer sent bytes; dropped", metadata: metadata(["bytes": "\(connection.discardedBytes)"]))
        }
    }

    private func record(_ notice: Link.Notice) {
        switch notice {
        case .connected(let connection):
            metrics.connects.increment()
            logger.debug("syslog sink connected", metadata: metadata([:]))
            connection.channel.closeFuture.whenComplete { [weak self] _ in self?.connectionEnded(connection) }
        case .up(let reason):
            metrics.up.record(1)
            switch reason {
            case .connected: logger.info("syslog sink connected", metadata: metadata([:]))
            case .forwarding: logger.info("syslog sink forwarding", metadata: metadata([:]))
            case .forwardingAgain: logger.info("syslog sink forwarding again", metadata: metadata([:]))
            }
        case .deliveryFailed(let error, let retryAfterMilliseconds, let wentDown):
            metrics.countWriteError(error.code)
            if wentDown {
                metrics.up.record(0)
                logger.warning(
                    "syslog sink cannot deliver; its queues keep the events and retry",
                    metadata: metadata(["error": "\(error)"])
                )
            } else {
                logger.debug(
                    "syslog sink still cannot deliver",
                    metadata: metadata(["error": "\(error)", "retry_ms": "\(retryAfterMilliseconds)"])
                )
            }
        case .unreachable(let error):
            metrics.up.record(0)
            logger.warning(
                "syslog sink cannot connect; it retries, and its queues keep the events",
                metadata: metadata(["error": "\(error)"])
            )
        case .reconnecting(let reason):
            logger.debug("syslog peer closed the connection; reconnecting", metadata: metadata(["reason": "\(reason)"]))
        }
    }

    private func metadata(_ extra: Logger.Metadata) -> Logger.Metadata {
        extra.merging(["sink": "\(name)", "peer": "\(configuration.host):\(configuration.port)"]) { $1 }
    }
}
