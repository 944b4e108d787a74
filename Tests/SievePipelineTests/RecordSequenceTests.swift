import SieveConfig
import Testing

@testable import SievePipeline

/// Gaps in a host's plugin record counter: exact counts, reordering tolerated, restarts handled.
@Suite("record gaps from the plugin's record counter")
struct RecordSequenceTests {
    static func lost(_ numbers: [UInt64], now: Double = 0) -> UInt64 {
        var sequence = RecordSequence()
        var lost: UInt64 = 0
        for n in numbers { lost += sequence.observe(n, now: now) }
        return lost + sequence.settle(now: now + RecordSequence.maxAge)
    }

    @Test("a complete run has no gap; the first number seen starts the sequence")
    func complete() {
        #expect(Self.lost(Array(1...5000)) == 0)
        #expect(Self.lost(Array(700...900)) == 0)
    }

    @Test("missing numbers are counted exactly")
    func missing() {
        var numbers = Array(UInt64(1)...3000)
        numbers.removeAll { [17, 18, 19, 1000, 2999].contains($0) }
        #expect(Self.lost(numbers) == 5)
    }

    @Test("reordering inside the window is not a gap")
    func reordering() {
        var numbers = Array(UInt64(1)...2000)
        numbers.swapAt(10, 40)
        numbers.swapAt(500, 900)
        #expect(Self.lost(numbers) == 0)
    }

    @Test("duplicates (a sender's retransmission) are ignored")
    func duplicates() {
        #expect(Self.lost(Array(1...100) + Array(90...200)) == 0)
    }

    @Test("a restart at 1 counts what was still pending, then follows the new run")
    func restart() {
        // 1...50 without 45, restart, 1...30 without 7: 2 lost.
        let first = (1...50).filter { $0 != 45 }.map(UInt64.init)
        let second = (1...30).filter { $0 != 7 }.map(UInt64.init)
        #expect(Self.lost(first + second) == 2)
    }

    @Test("a restart whose first records are lost counts them, once the new run is seen far below the old")
    func restartLosingItsFirstRecords() {
        // 1...5000, restart: records 1...3 of the new run lost, 4...100 arrive.
        #expect(Self.lost(Array(1...5000) + Array(4...100)) == 3)
        // The same, but 2 and 3 arrive late (reordered): only 1 is lost.
        #expect(Self.lost(Array(1...5000) + Array(4...50) + [2, 3] + Array(51...100)) == 1)
        // A record resent very late (far below the highest) is not a restart losing millions.
        #expect(Self.lost(Array(1...5000) + [2000] + Array(5001...5100)) == 0)
        // A short old run (below the window) cannot be told from duplicates: documented limit.
        #expect(Self.lost(Array(1...500) + Array(4...100)) == 0)
    }

    @Test("a pending gap is settled after the window or after maxAge, not before; a gap wider than the window loses its far part at once")
    func settling() {
        var sequence = RecordSequence()
        #expect(sequence.observe(1, now: 0) == 0)
        #expect(sequence.observe(5, now: 0) == 0)  // 2, 3, 4 pending
        #expect(sequence.settle(now: 1) == 0)
        #expect(sequence.observe(3, now: 2) == 0)  // late arrival
        #expect(sequence.settle(now: RecordSequence.maxAge + 1) == 2)
        // 6 ..< 1040 skipped: 6 ... 16 are at once more than the window below 1040 (lost), 17 ..< 1040 pending.
        #expect(sequence.observe(6 + RecordSequence.window + 10, now: 40) == 11)
        // 2075: the rest of that gap is out of the window, and so are 1041 ... 1051 of the new one.
        #expect(sequence.observe(7 + 2 * RecordSequence.window + 20, now: 40) == RecordSequence.window - 1 + 11)
        #expect(sequence.pendingCount == RecordSequence.window - 1)
        #expect(sequence.settle(now: 40 + RecordSequence.maxAge) == RecordSequence.window - 1)
        #expect(RecordSequence.window == LimitsConfig.recordReorderWindow, "the window limits documents")
    }

    @Test("interleaved senders with drops (one host over several connections): exactly the dropped numbers are lost, each once the window has passed it")
    func interleavedWithDrops() {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<20 {
            // Four connections take turns in bursts of up to 150 records; each carries every fourth
            // number, so a burst leaves three of every four numbers pending until the others come.
            let total: UInt64 = 20_000
            var dropped = Set<UInt64>()
            while dropped.count < 5 * (round + 1) { dropped.insert(UInt64.random(in: 2...total - 1, using: &generator)) }
            var queues: [[UInt64]] = (0..<4).map { c in
                stride(from: UInt64(c + 1), through: total, by: 4).filter { !dropped.contains($0) }
            }
            var sequence = RecordSequence()
            var lost: UInt64 = 0
            var step = 0.0
            // The run starts at 1 (a lower number seen after a higher first one is a restart).
            lost += sequence.observe(queues[0].removeFirst(), now: step)
            while queues.contains(where: { !$0.isEmpty }) {
                // A connection sends only while its next number is at most 400 above the lowest
                // number still to come, in bursts of up to 100 records (400 numbers): every number
                // arrives within the reorder window.
                let lowest = queues.compactMap(\.first).min()!
                let c = (0..<4).filter { queues[$0].first.map { $0 <= lowest + 400 } ?? false }
                    .randomElement(using: &generator)!
                let burst = min(queues[c].count, Int.random(in: 1...100, using: &generator))
                for n in queues[c].prefix(burst) {
                    lost += sequence.observe(n, now: step)
                    step += 0.000_01
                }
                queues[c].removeFirst(burst)
                #expect(lost <= UInt64(dropped.count), "never a record counted lost that came")
            }
            lost += sequence.settle(now: step + RecordSequence.maxAge)
            #expect(lost == UInt64(dropped.count), "round \(round)")
            #expect(!sequence.hasPending)
        }
    }

    @Test("a single record far above the highest (forged, HOSTILE D8) is a counted jump, never gaps; the run goes on")
    func forgedJump() {
        var sequence = RecordSequence()
        var lost: UInt64 = 0
        for n in UInt64(1)...100 { lost += sequence.observe(n, now: 0) }
        lost += sequence.observe(10_000_000, now: 1)
        for n in UInt64(101)...3000 { lost += sequence.observe(n, now: 2) }
        lost += sequence.settle(now: 100)
        #expect(lost == 0)
        #expect(sequence.jumps == 1)
        #expect(sequence.highest == 3000)
    }

    @Test("a counter that really moved far up (two numbers in a row) is followed; gaps after it are counted")
    func realJump() {
        var sequence = RecordSequence()
        sequence.maxJump = 10_000
        var lost: UInt64 = 0
        for n in UInt64(1)...100 { lost += sequence.observe(n, now: 0) }
        for n in UInt64(50_000)...52_000 where n != 51_000 { lost += sequence.observe(n, now: 1) }
        lost += sequence.settle(now: 100)
        #expect(lost == 1, "only the number missing in the new run")
        #expect(sequence.jumps == 2)
        #expect(sequence.highest == 52_000)
    }

    @Test("record ids: digits up to the underscore")
    func recordIDs() {
        #expect(RecordSequence.number(inRecordID: Array("1073_1970-01-01T00:00:00".utf8)) == 1073)
        #expect(RecordSequence.number(inRecordID: Array("16684_2021-06-30T16:07:41".utf8)) == 16684)
        #expect(RecordSequence.number(inRecordID: Array("abc_1".utf8)) == nil)
        #expect(RecordSequence.number(inRecordID: Array("12".utf8)) == nil)
        #expect(RecordSequence.number(inRecordID: Array("99999999999999999999_x".utf8)) == nil)
    }
}
