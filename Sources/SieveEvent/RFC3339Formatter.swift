/// Formats `EventTime` as RFC 3339 UTC with microseconds (`2026-11-22T03:04:05.123456Z`).
///
/// The date part changes once a second, so it is cached: formatting is a copy of 20 bytes plus six
/// digits. A value type: each encoder owns one, no sharing, no locks.
public struct RFC3339Formatter: Sendable {
    private var cachedSecond: Int64 = .min
    private var cachedPrefix: [UInt8] = []

    public init() {}

    public mutating func write<Out: EventOutput>(_ time: EventTime, into out: inout Out) {
        if time.seconds != cachedSecond {
            cachedSecond = time.seconds
            cachedPrefix = Self.secondsPrefix(time.seconds)
        }
        out.write(cachedPrefix)
        var micros = Int(max(0, min(999_999, time.microseconds)))
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { raw in
            for index in stride(from: 5, through: 0, by: -1) {
                raw[index] = UInt8(ascii: "0") + UInt8(micros % 10)
                micros /= 10
            }
            out.write(UnsafeRawBufferPointer(raw))
        }
        out.write(UInt8(ascii: "Z"))
    }

    public mutating func string(_ time: EventTime) -> String {
        var out: [UInt8] = []
        write(time, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `YYYY-MM-DDTHH:MM:SS.` for a Unix time (proleptic Gregorian, Hinnant's civil_from_days).
    static func secondsPrefix(_ unix: Int64) -> [UInt8] {
        let days = unix >= 0 ? unix / 86_400 : (unix - 86_399) / 86_400
        let secondOfDay = unix - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)

        var out: [UInt8] = []
        out.reserveCapacity(20)
        func put(_ value: Int64, width: Int) {
            var digits = [UInt8](repeating: UInt8(ascii: "0"), count: width)
            var rest = value
            for index in stride(from: width - 1, through: 0, by: -1) {
                digits[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            out.append(contentsOf: digits)
        }
        put(year, width: 4)
        out.append(UInt8(ascii: "-"))
        put(month, width: 2)
        out.append(UInt8(ascii: "-"))
        put(day, width: 2)
        out.append(UInt8(ascii: "T"))
        put(secondOfDay / 3600, width: 2)
        out.append(UInt8(ascii: ":"))
        put(secondOfDay % 3600 / 60, width: 2)
        out.append(UInt8(ascii: ":"))
        put(secondOfDay % 60, width: 2)
        out.append(UInt8(ascii: "."))
        return out
    }
}
