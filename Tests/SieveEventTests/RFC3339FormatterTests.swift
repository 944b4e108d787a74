import Foundation
import SieveEvent
import Testing
import SieveTestSupport

/// Foundation's rendering of the same instant: ISO 8601 in UTC to the second, then six digits of
/// microseconds (ISO8601DateFormatter itself stops at milliseconds).
func foundationRFC3339(_ time: EventTime) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.formatOptions = [.withInternetDateTime]
    let seconds = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(time.seconds)))
    #expect(seconds.hasSuffix("Z"), "\(seconds)")
    return String(seconds.dropLast()) + "." + String(format: "%06d", Int(time.microseconds)) + "Z"
}

func rfc3339(_ time: EventTime) -> String {
    var formatter = RFC3339Formatter()
    return formatter.string(time)
}

@Suite("RFC3339Formatter")
struct RFC3339FormatterTests {
    static func unix(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0)
        -> Int64
    {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let date = calendar.date(
            from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))!
        return Int64(date.timeIntervalSince1970)
    }

    @Test("the epoch, the issue's received_at and EVENT.md's example")
    func knownInstants() {
        #expect(rfc3339(EventTime(seconds: 0, microseconds: 0)) == "1970-01-01T00:00:00.000000Z")
        #expect(rfc3339(EventTime(seconds: 1_795_000_000, microseconds: 0)) == "2026-11-18T11:06:40.000000Z")
        #expect(
            rfc3339(EventTime(seconds: Self.unix(2026, 11, 22, 1, 30, 19), microseconds: 512_345))
                == "2026-11-22T01:30:19.512345Z")
        #expect(rfc3339(EventTime(seconds: 951_782_400, microseconds: 1)) == "2000-02-29T00:00:00.000001Z")
        #expect(rfc3339(EventTime(seconds: -1, microseconds: 999_999)) == "1969-12-31T23:59:59.999999Z")
    }

    @Test("leap days, month ends and year boundaries match Foundation")
    func calendarEdges() {
        var instants: [Int64] = []
        for year in [1970, 1971, 1972, 1999, 2000, 2001, 2023, 2024, 2038, 2096, 2099, 2100] {
            for (month, day) in [(1, 1), (2, 28), (2, 29), (3, 1), (12, 31)] {
                let start = Self.unix(year, month, day)
                instants += [start - 1, start, start + 86_399, start + 86_400]
            }
        }
        instants.append(Int64(Int32.max))  // 2038-01-19T03:14:07
        instants.append(Int64(Int32.max) + 1)
        instants.append(Self.unix(2100, 12, 31, 23, 59, 59))
        for seconds in instants where seconds >= 0 {
            for micros: Int32 in [0, 1, 999_999] {
                let time = EventTime(seconds: seconds, microseconds: micros)
                #expect(rfc3339(time) == foundationRFC3339(time), "\(seconds)")
            }
        }
        // 2100 is not a leap year: the day after Feb 28 is Mar 1.
        #expect(
            rfc3339(EventTime(seconds: Self.unix(2100, 2, 28) + 86_400, microseconds: 0))
                == "2100-03-01T00:00:00.000000Z")
        #expect(
            rfc3339(EventTime(seconds: Self.unix(2000, 2, 28) + 86_400, microseconds: 0))
                == "2000-02-29T00:00:00.000000Z")
    }

    @Test("seeded random instants across 1970–2100 match Foundation")
    func randomInstants() {
        let seed: UInt64 = 3339
        var random = SeededRandom(seed: seed)
        let end = Self.unix(2101, 1, 1) - 1
        for _ in 0..<20_000 {
            let time = EventTime(
                seconds: Int64.random(in: 0...end, using: &random),
                microseconds: Int32.random(in: 0...999_999, using: &random))
            #expect(rfc3339(time) == foundationRFC3339(time), "seed \(seed): \(time)")
        }
    }

    @Test("times before 1970 (negative Unix seconds) match Foundation back to 1900")
    func beforeEpoch() {
        var random = SeededRandom(seed: 1969)
        let start = Self.unix(1900, 1, 1)
        var instants: [Int64] = [-1, -86_400, -86_401, Self.unix(1968, 2, 29), Self.unix(1900, 2, 28) + 86_400, start]
        for _ in 0..<5_000 { instants.append(Int64.random(in: start..<0, using: &random)) }
        for seconds in instants {
            let time = EventTime(seconds: seconds, microseconds: Int32.random(in: 0...999_999, using: &random))
            #expect(rfc3339(time) == foundationRFC3339(time), "\(seconds)")
        }
        #expect(
            rfc3339(EventTime(seconds: Self.unix(1900, 2, 28) + 86_400, microseconds: 0))
                == "1900-03-01T00:00:00.000000Z")
    }

    @Test("one formatter reused for many times (its cached second) writes what fresh ones write")
    func cachedSecond() {
        var random = SeededRandom(seed: 42)
        var shared = RFC3339Formatter()
        var seconds: Int64 = 1_795_000_000
        for _ in 0..<5_000 {
            switch Int.random(in: 0..<4, using: &random) {
            case 0: break  // same second again
            case 1: seconds += 1
            case 2: seconds -= Int64.random(in: 1...100_000, using: &random)
            default: seconds = Int64.random(in: 0...4_102_444_799, using: &random)
            }
            let time = EventTime(seconds: seconds, microseconds: Int32.random(in: 0...999_999, using: &random))
            #expect(shared.string(time) == rfc3339(time))
        }
    }

    @Test("write appends to the buffer, with the same bytes as string")
    func writeAppends() {
        var formatter = RFC3339Formatter()
        var out: [UInt8] = Array("at=".utf8)
        let time = EventTime(seconds: 1_795_000_000, microseconds: 7)
        formatter.write(time, into: &out)
        #expect(out.text == "at=2026-11-18T11:06:40.000007Z")
    }
}
