import SieveConfig

/// Follows one host's Percona record counter (`RECORD` = `N_1970-01-01T00:00:00` in syslog
/// mode, docs/FORMATS.md §2.7) and finds records that never arrived: lost before they reached
/// auditsieve (a full sender queue, a dropped UDP datagram, a killed rsyslog).
///
/// Records may arrive slightly out of order (the plugin numbers them with an atomic counter but
/// threads emit in their own order), so a skipped number is only *pending* at first; it is counted
/// lost once the counter has moved `window` past it, or `maxAge` seconds have passed, or the
/// counter restarts (server or plugin restart, `audit_log_flush`: it begins again at 1). A number
/// at or below the highest seen that was not pending is a duplicate (a sender's retransmission)
/// and is ignored. The first number seen from a host starts the sequence: what came before
/// auditsieve started is not known, so it is not counted. A restart is recognised when the
/// counter comes back to 1, or to more than `window` below the highest number seen and the next
/// number continues from there (a single stray late record does not restart anything); when it
/// restarted at a small number, the new run's numbers below it are pending; a restart whose first records are lost while the old run
/// had fewer than `window` records looks like duplicates until it passes the old highest number,
/// and those records are not counted.
///
/// A number more than `maxJump` above the highest is not a gap of a million records: it is a
/// counter that started again high, or a forged record (HOSTNAME and record ids are not
/// authenticated over plain syslog). It is counted in `jumps`, never as gaps; like a restart far
/// below, it is only a candidate until the next number continues from it (then the sequence
/// follows the new run), so one forged record neither raises nor hides a gap.
struct RecordSequence: Sendable {
    struct Pending: Sendable, Equatable {
        var numbers: Range<UInt64>
        var since: Double
    }

    static let window = LimitsConfig.recordReorderWindow
    static let maxAge = 30.0
    /// More pending ranges than this and the oldest is counted lost (bounded memory per host).
    static let maxPending = 64

    private(set) var highest: UInt64 = 0
    private(set) var pending: [Pending] = []
    private(set) var restarts = 0
    /// A number far below `highest`, not yet known to start a new run (see `observe`).
    private(set) var restartCandidate: UInt64?
    /// Numbers seen more than `maxJump` above the highest (see the type's comment).
    private(set) var jumps = 0
    /// A number far above `highest`, not yet known to continue (see `observe`).
    private(set) var jumpCandidate: UInt64?
    /// `limits.gap_max_jump`.
    var maxJump: UInt64 = 1_000_000

    /// Takes record number `n` seen at `now` (seconds); returns how many records are now known lost.
    mutating func observe(_ n: UInt64, now: Double) -> UInt64 {
        guard n > 0 else { return 0 }
        var lost: UInt64 = 0
        if highest == 0 {
            highest = n
        } else if n - min(n, highest) > maxJump {
            jumps += 1
            if let candidate = jumpCandidate, n > candidate, n <= candidate + Self.window {
                // Two numbers in a row far above: the counter really moved there. What was
                // pending is settled as usual (it is now far behind).
                jumpCandidate = nil
                if n > candidate + 1 { pending.append(Pending(numbers: (candidate + 1)..<n, since: now)) }
                highest = n
            } else {
                jumpCandidate = n
            }
        } else if n > highest {
            if n > highest + 1 { pending.append(Pending(numbers: (highest + 1)..<n, since: now)) }
            highest = n
        } else if n != highest {
            if let index = pending.firstIndex(where: { $0.numbers.contains(n) }) {
                arrived(n, at: index)
            } else if n == 1 {
                lost += restart(at: 1, now: now)
            } else if n + Self.window < highest {
                // Far below: a restart whose first records were lost, or one record resent very
                // late. A restart goes on from there; a stray record does not. So the first such
                // number is only a candidate, confirmed by a next one just above it.
                if let candidate = restartCandidate, n > candidate, n <= candidate + Self.window {
                    restartCandidate = nil
                    lost += restart(at: candidate, now: now)
                    if n > candidate + 1 { pending.append(Pending(numbers: (candidate + 1)..<n, since: now)) }
                    highest = n
                } else {
                    restartCandidate = n
                }
            }
        }
        return lost + settle(now: now)
    }

    /// Counts pending ranges that are too old or too far behind; call it also without new records.
    mutating func settle(now: Double) -> UInt64 {
        // Runs for every record: a plain pass that writes only when a range goes (a closure
        // capturing `lost` cost an allocation per call).
        var lost: UInt64 = 0
        var kept = 0
        for index in pending.indices {
            let range = pending[index]
            if range.numbers.upperBound + Self.window <= highest || now - range.since >= Self.maxAge {
                lost += UInt64(range.numbers.count)
            } else {
                if kept != index { pending[kept] = range }
                kept += 1
            }
        }
        if kept < pending.count { pending.removeLast(pending.count - kept) }
        while pending.count > Self.maxPending {
            lost += UInt64(pending.removeFirst().numbers.count)
        }
        return lost
    }

    /// The counter started again at `n`: what was still pending will not come, and the new run's
    /// numbers before `n` are pending in their turn (for a small `n`). Returns the lost count.
    private mutating func restart(at n: UInt64, now: Double) -> UInt64 {
        let lost = pending.reduce(0) { $0 + UInt64($1.numbers.count) }
        pending.removeAll()
        if n > 1 && n <= Self.window { pending.append(Pending(numbers: 1..<n, since: now)) }
        highest = n
        restarts += 1
        return lost
    }

    private mutating func arrived(_ n: UInt64, at index: Int) {
        let range = pending[index].numbers
        var replacement: [Pending] = []
        if range.lowerBound < n {
            replacement.append(Pending(numbers: range.lowerBound..<n, since: pending[index].since))
        }
        if n + 1 < range.upperBound {
            replacement.append(Pending(numbers: (n + 1)..<range.upperBound, since: pending[index].since))
        }
        pending.replaceSubrange(index...index, with: replacement)
    }

    /// The number in a record id `N_…` (digits up to `_`), or nil.
    /// A decimal number of at most 19 digits, nothing else.
    static func number(digits bytes: some Collection<UInt8>) -> UInt64? {
        guard !bytes.isEmpty, bytes.count <= 19 else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + UInt64(byte - 0x30)
        }
        return value
    }

    static func number(inRecordID bytes: some Collection<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        var digits = 0
        for byte in bytes {
            guard byte >= 0x30 && byte <= 0x39 else { return digits > 0 && byte == 0x5F ? value : nil }
            guard digits < 19 else { return nil }
            value = value * 10 + UInt64(byte - 0x30)
            digits += 1
        }
        return nil
    }
}
