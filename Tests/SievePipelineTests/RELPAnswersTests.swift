import Testing

@testable import SievePipeline

/// The order and the gates of a RELP session's answers.
@Suite("RELP answers: frame order, gates per burst")
struct RELPAnswersTests {
    @Test("a burst's answers wait for every mark of its gate; the open answer before them goes at once")
    func gateWaitsForMarks() {
        var answers = RELPAnswers()
        answers.owe(.opened(txnr: 1))
        answers.oweSyslog(txnr: 2)
        answers.oweSyslog(txnr: 3)
        let gate = answers.close(waitingFor: 2)
        #expect(gate != nil)
        #expect(answers.takeReady() == [.opened(txnr: 1)])
        answers.markSafe(gate: gate!)
        #expect(answers.takeReady().isEmpty, "one of two queues said safe")
        answers.markSafe(gate: gate!)
        #expect(answers.takeReady() == [.ok(txnr: 2), .ok(txnr: 3)])
        #expect(answers.owed == 0)
    }

    @Test("a burst with nothing kept opens at once; a later open gate still waits behind an earlier closed one")
    func inOrder() {
        var answers = RELPAnswers()
        answers.oweSyslog(txnr: 1)
        let first = answers.close(waitingFor: 1)!
        answers.oweSyslog(txnr: 2)
        #expect(answers.close(waitingFor: 0) == nil, "all filtered: open")
        answers.owe(.closed(txnr: 3))
        #expect(answers.takeReady().isEmpty, "2 and the close answer wait behind 1")
        answers.markSafe(gate: first)
        #expect(answers.takeReady() == [.ok(txnr: 1), .ok(txnr: 2), .closed(txnr: 3)])
    }

    @Test("while collecting (the joiner holds table records) later messages join the same gate")
    func collecting() {
        var answers = RELPAnswers()
        answers.oweSyslog(txnr: 1)
        #expect(answers.isCollecting)
        answers.oweSyslog(txnr: 2)
        let gate = answers.close(waitingFor: 1)!
        #expect(!answers.isCollecting)
        answers.oweSyslog(txnr: 3)
        let next = answers.close(waitingFor: 1)!
        #expect(next != gate)
        answers.markSafe(gate: next)
        #expect(answers.takeReady().isEmpty)
        answers.markSafe(gate: gate)
        #expect(answers.takeReady() == [.ok(txnr: 1), .ok(txnr: 2), .ok(txnr: 3)])
    }
}
