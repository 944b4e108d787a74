import SieveConfig

/// Follows one host's Percona record counter (`RECORD` = `N_1970-01-01T00:00:00` in syslog
/// mode, docs/FORMATS.md §2.7) and finds records that never arrived: lost before they reached
/// auditsieve (a full sender queue, a dropped UDP datagram, a killed rsyslog).
///
/// Records may arrive out of order (the plugin numbers them with an atomic counter but threads
/// emit in their own order; one host's records may come over several connections), so a skipped
/// number is only *pending* at first; it is counted lost once the counter has moved `window` past
/// it (a gap wider than the window: its numbers more than `window` below at once), or `maxAge`
/// seconds after the last gap opened in its block of 64 numbers, or when the counter restarts
/// (server or plugin restart, `audit_log_flush`: it begins again at 1). A number at or below the
/// highest seen that was not pending is a duplicate (a sender's retransmission) and is ignored.
/// The first number seen from a host starts the sequence: what came before auditsieve started is
/// not known, so it is not counted. A restart is recognised when the counter comes back to 1, or
/// to more than `window` below the highest number seen and the next number continues from there
/// (a single stray late record does not restart anything); when it restarted at a small number,
/// the new run's numbers below it are pending; a restart whose first records are lost while the
/// old run had fewer than `window` records looks like duplicates until it passes the old highest
/// number, and those records are not counted.
///
/// A number more than `maxJump` above the highest is not a gap of a million records: it is a
/// counter that started again high, or a forged record (HOSTNAME and record ids are not
/// authenticated over plain syslog). It is counted in `jumps`, never as gaps; like a restart far
/// below, it is only a candidate until the next number continues from it (then the sequence
/// follows the new run), so one forged record neither raises nor hides a gap.
///
/// The last `window` numbers are one bit each (set: arrived, or never waited for), so every record
/// costs constant time and a host 256 bytes, however its records interleave. (Pending ranges in a
/// list, bounded at 64, counted records of interleaved connections lost that then arrived.)
struct RecordSequence: Sendable {
    private typealias Words = InlineArray<16, UInt64>

    /// `limits` documents it as `LimitsConfig.recordReorderWindow` (a test holds them equal).
    static let window = UInt64(Words.count * 64)
    static let maxAge = 30.0

    private(set) var highest: UInt64 = 0
    /// Bit `n % window` for each number `n` in `highest - window + 1 ... highest`: clear while `n`
    /// is pending.
    private var seen = Words(repeating: ~0)
    /// Per 64-bit word of `seen`: when a number in it last became pending (infinity: never since
    /// the start or the last restart). Left as is when its numbers arrive: a word with nothing
    /// pending loses nothing at `settle`, whatever its time says.
    private var since = InlineArray<16, Double>(repeating: .infinity)
    /// Clear bits in `seen`.
    private(set) var pendingCount: UInt64 = 0
    private(set) var restarts = 0
    /// A number far below `highest`, not yet known to start a new run (see `observe`).
    private(set) var restartCandidate: UInt64?
    /// Numbers seen more than `maxJump` above the highest (see the type's comment).
    private(set) var jumps = 0
    /// A number far above `highest`, not yet known to continue (see `observe`).
    private(set) var jumpCandidate: UInt64?
    /// `limits.gap_max_jump`.
    var maxJump: UInt64 = 1_000_000

    var hasPending: Bool { pendingCount > 0 }

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
                // pending is far behind: lost.
                jumpCandidate = nil
                lost += startAfresh(at: candidate)
                lost += advance(to: n, now: now)
            } else {
                jumpCandidate = n
            }
        } else if n > highest {
            lost += advance(to: n, now: now)
        } else if n != highest {
            if n + Self.window > highest, isPending(n) {
                arrived(n)
            } else if n == 1 {
                lost += restart(at: 1, now: now)
            } else if n + Self.window < highest {
                // Far below: a restart whose first records were lost, or one record resent very
                // late. A restart goes on from there; a stray record does not. So the first such
                // number is only a candidate, confirmed by a next one just above it.
                if let candidate = restartCandidate, n > candidate, n <= candidate + Self.window {
                    restartCandidate = nil
                    lost += restart(at: candidate, now: now)
                    lost += advance(to: n, now: now)
                } else {
                    restartCandidate = n
                }
            }
        }
        return lost + settle(now: now)
    }

    /// Counts pending numbers whose block has waited `maxAge`; call it also without new records.
    mutating func settle(now: Double) -> UInt64 {
        guard pendingCount > 0 else { return 0 }
        var lost: UInt64 = 0
        for word in 0..<Words.count where now - since[word] >= Self.maxAge {
            let clear = UInt64((~seen[word]).nonzeroBitCount)
            lost += clear
            pendingCount -= clear
            seen[word] = ~0
            since[word] = .infinity
        }
        return lost
    }

    /// The counter moved up to `n` (above `highest`, by at most `maxJump`): the numbers between are
    /// pending, and those now `window` or more below `n` are lost if still pending.
    private mutating func advance(to n: UInt64, now: Double) -> UInt64 {
        if n - highest >= Self.window {
            // Every slot is taken by a new number: what was pending is lost, and so is every
            // skipped number already out of the window; the window's numbers below `n` are pending.
            let lost = pendingCount + (n - Self.window - highest)
            for word in 0..<Words.count {
                seen[word] = 0
                since[word] = now
            }
            let (word, bit) = Self.slot(n)
            seen[word] |= bit
            pendingCount = Self.window - 1
            highest = n
            return lost
        }
        var lost: UInt64 = 0
        var number = highest + 1
        while number <= n {
            let (word, bit) = Self.slot(number)
            // The slot held `number - window`, now out of the window.
            if seen[word] & bit == 0 {
                lost += 1
                pendingCount -= 1
            }
            if number == n {
                seen[word] |= bit
            } else {
                seen[word] &= ~bit
                since[word] = now
                pendingCount += 1
            }
            number += 1
        }
        highest = n
        return lost
    }

    private func isPending(_ n: UInt64) -> Bool {
        let (word, bit) = Self.slot(n)
        return seen[word] & bit == 0
    }

    private mutating func arrived(_ n: UInt64) {
        let (word, bit) = Self.slot(n)
        seen[word] |= bit
        pendingCount -= 1
    }

    @inline(__always)
    private static func slot(_ n: UInt64) -> (word: Int, bit: UInt64) {
        let index = Int(n % window)
        return (index >> 6, 1 << UInt64(index & 63))
    }

    /// Forgets everything pending (returned: lost) and starts again with `n` the highest, seen.
    private mutating func startAfresh(at n: UInt64) -> UInt64 {
        let lost = pendingCount
        for word in 0..<Words.count {
            seen[word] = ~0
            since[word] = .infinity
        }
        pendingCount = 0
        highest = n
        return lost
    }

    /// The counter started again at `n`: what was still pending will not come, and the new run's
    /// numbers before `n` are pending in their turn (for a small `n`). Returns the lost count.
    private mutating func restart(at n: UInt64, now: Double) -> UInt64 {
        let lost = startAfresh(at: n)
        if n > 1 && n <= Self.window {
            for number in 1..<n {
                let (word, bit) = Self.slot(number)
                seen[word] &= ~bit
                since[word] = now
            }
            pendingCount = n - 1
        }
        restarts += 1
        return lost
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
