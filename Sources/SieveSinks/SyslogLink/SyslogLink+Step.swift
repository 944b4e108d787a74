extension SyslogLink.StateMachine {
    /// What the shell does after an event, in this order: close `discard` (it failed or its peer
    /// left), record `notice`, then `action`.
    struct Step: Equatable {
        var discard: Connection?
        var notice: Notice?
        var action: Action

        init(discard: Connection? = nil, notice: Notice? = nil, _ action: Action) {
            self.discard = discard
            self.notice = notice
            self.action = action
        }
    }

    enum Action: Equatable {
        /// Nothing (more) to do.
        case none
        /// Open a connection (at most the connect timeout), then report `connected` or
        /// `connectFailed` (`interrupted` if `close()` woke the wait).
        case connect
        /// Wait up to `within` for the TLS server to end the connection, then report `accepted`
        /// (it did not) or `refused`.
        case proveAcceptance(Connection, within: Duration)
        /// Write the batch on it (at most the write timeout), then report `written` or `writeFailed`.
        case write(Connection)
        /// The delivery is done: the batch is taken.
        case delivered
        /// The delivery fails (the sink throws): try again after `retryAfterMilliseconds`.
        case fail(SyslogLinkError, retryAfterMilliseconds: Int)
        /// Schedule a probe (`probeFired`) after `after`.
        case probe(after: Duration)
    }

    /// A change to record in metrics and logs.
    enum Notice: Equatable {
        enum UpReason: Equatable {
            /// A probe's connection has lasted.
            case connected
            /// The first batch went out.
            case forwarding
            /// A batch went out after failures.
            case forwardingAgain
        }

        /// A connection counts (`auditsieve_sink_connects_total`); the shell reports
        /// `connectionEnded` when it ends.
        case connected(Connection)
        /// `auditsieve_sink_up` 1, on the transition only.
        case up(UpReason)
        /// A delivery failed: a write error under the error's code; `auditsieve_sink_up` 0 and a
        /// warning if `wentDown`, else a debug line with the retry delay.
        case deliveryFailed(SyslogLinkError, retryAfterMilliseconds: Int, wentDown: Bool)
        /// A probe could not connect, and the sink was not known to be down: `auditsieve_sink_up` 0.
        case unreachable(SyslogLinkError)
        /// The peer had left the open connection; the batch goes out on a new one at once.
        case reconnecting(reason: String)
    }
}
