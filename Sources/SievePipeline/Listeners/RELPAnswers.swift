import DequeModule

/// The answers a RELP session owes, kept in the order its frames came, and when each may go.
///
/// A `syslog` frame's answer waits at a gate: the gate of the read burst its message came in,
/// which opens once every queue that took an event of the burst says the event is safe
/// (`DeliveryQueue.whenSafe`); a burst whose messages were all filtered out opens its gate at
/// once. While the connection's joiner holds table records at a burst's end, the next bursts
/// join that burst's gate, which closes over their marks too (the held records go into the queues
/// with a later burst). Answers go out in frame order: one waiting at a gate holds back the
/// ones after it, even those that need nothing (librelp's client matches answers by number, but
/// in order they are what every peer expects). No I/O: the session handler writes what `takeReady` gives.
struct RELPAnswers {
    enum Answer: Equatable {
        /// "200 OK" to a `syslog` frame.
        case ok(txnr: Int)
        /// "200 OK" with the server's offers, to `open`.
        case opened(txnr: Int)
        /// A refusal: "500 …".
        case refused(txnr: Int, text: String)
        /// The answer to `close`; the connection closes after it.
        case closed(txnr: Int)
    }

    private var answers = Deque<(answer: Answer, gate: Int?)>()
    /// Gates not yet open, by number: how many queue marks each still waits for (-1: collecting).
    private var gates: [Int: Int] = [:]
    private var nextGate = 0
    /// The gate this burst's (and, while the joiner holds, the next bursts') messages join.
    private var collecting: Int?

    /// Answers owed, sent or not.
    var owed: Int { answers.count }

    /// An answer that needs no gate (it still goes out after the ones before it).
    mutating func owe(_ answer: Answer) {
        answers.append((answer, nil))
    }

    /// A `syslog` frame's "200 OK", behind the collecting gate.
    mutating func oweSyslog(txnr: Int) {
        let gate: Int
        if let collecting {
            gate = collecting
        } else {
            gate = nextGate
            nextGate &+= 1
            gates[gate] = -1
            collecting = gate
        }
        answers.append((.ok(txnr: txnr), gate))
    }

    /// The collecting gate stops collecting: it now waits for `marks` queue marks (0: it opens).
    /// Returns the gate to report each mark's safety to, or nil when none was collecting or it opened.
    mutating func close(waitingFor marks: Int) -> Int? {
        guard let gate = collecting else { return nil }
        collecting = nil
        if marks == 0 {
            gates[gate] = nil
            return nil
        }
        gates[gate] = marks
        return gate
    }

    /// Whether a gate is collecting (bursts are joining it).
    var isCollecting: Bool { collecting != nil }

    /// One of `gate`'s marks is safe.
    mutating func markSafe(gate: Int) {
        guard let left = gates[gate], left > 0 else { return }
        gates[gate] = left == 1 ? nil : left - 1
    }

    /// The answers that may go now, in order.
    mutating func takeReady() -> [Answer] {
        var ready: [Answer] = []
        while let first = answers.first, first.gate.map({ gates[$0] == nil }) ?? true {
            ready.append(first.answer)
            answers.removeFirst()
        }
        return ready
    }
}
