import HVXBinary

/// A point in time as Windows logs it: 100-nanosecond intervals since 1601-01-01 UTC (FILETIME).
package struct EVTXTimestamp: Sendable, Hashable, Comparable, TextCodable {
    /// Ticks of 100 ns since 1601-01-01T00:00:00Z.
    var fileTime: UInt64

    /// A timestamp from FILETIME ticks.
    package init(fileTime: UInt64) { self.fileTime = fileTime }

    private static let ticksPerSecond: UInt64 = 10_000_000
    private static let secondsPerDay: UInt64 = 86_400

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction][Z]` (UTC; up to 9 fraction digits, beyond 7 are dropped) or a
    /// date `YYYY-MM-DD`.
    package init?(iso8601 text: String) {
        let chars = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= chars.count else { return nil }
            var value = 0
            for c in chars[from..<from + count] {
                guard c >= 48 && c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            return value
        }
        guard let year = number(0, 4), chars.count >= 10, chars[4] == 45, chars[7] == 45,
            let month = number(5, 2), let day = number(8, 2), (1601...9999).contains(year),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var hour = 0
        var minute = 0
        var second = 0
        var ticks = 0
        var index = 10
        if chars.count > 10 {
            guard chars[10] == 84 || chars[10] == 32, let h = number(11, 2), chars.count >= 19, chars[13] == 58,
                let m = number(14, 2), chars[16] == 58, let s = number(17, 2), h < 24, m < 60, s < 61
            else { return nil }
            hour = h; minute = m; second = s
            index = 19
            if index < chars.count && chars[index] == 46 {
                index += 1
                var digits = 0
                while index < chars.count, chars[index] >= 48, chars[index] <= 57 {
                    if digits < 7 { ticks = ticks * 10 + Int(chars[index] - 48); digits += 1 }
                    index += 1
                }
                while digits < 7 { ticks *= 10; digits += 1 }
            }
            if index < chars.count && chars[index] == 90 { index += 1 }
        }
        guard index == chars.count else { return nil }
        let days = EVTXTimestamp.daysFromCivil(year: year, month: month, day: day)
        let seconds = UInt64(days) * EVTXTimestamp.secondsPerDay + UInt64(hour * 3600 + minute * 60 + second)
        fileTime = seconds * EVTXTimestamp.ticksPerSecond + UInt64(ticks)
    }

    /// ISO 8601 UTC with seven fraction digits, e.g. `2019-03-19T23:34:25.8943413Z`.
    package var description: String {
        let seconds = fileTime / EVTXTimestamp.ticksPerSecond
        let ticks = fileTime % EVTXTimestamp.ticksPerSecond
        let days = Int(seconds / EVTXTimestamp.secondsPerDay)
        let inDay = Int(seconds % EVTXTimestamp.secondsPerDay)
        let (year, month, day) = EVTXTimestamp.civil(fromDays: days)
        return EVTXTimestamp.format(
            year: year, month: month, day: day, hour: inDay / 3600, minute: inDay / 60 % 60, second: inDay % 60,
            fraction: String(ticks + 10_000_000).dropFirst())
    }

    package static func format(
        year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, fraction: Substring
    ) -> String {
        // Written byte by byte: every record's TimeCreated passes here.
        let fractionBytes = Array(fraction.utf8)
        return String(unsafeUninitializedCapacity: 21 + fractionBytes.count) { buffer in
            var out = 0
            func digits(_ value: Int, _ count: Int) {
                var divisor = 1
                for _ in 1..<count { divisor *= 10 }
                var rest = value
                for _ in 0..<count {
                    buffer[out] = UInt8(48 + (rest / divisor) % 10)
                    out += 1
                    rest %= divisor
                    divisor /= 10
                    if divisor == 0 { divisor = 1 }
                }
            }
            func put(_ c: Character) { buffer[out] = c.asciiValue!; out += 1 }
            digits(year, 4); put("-"); digits(month, 2); put("-"); digits(day, 2); put("T")
            digits(hour, 2); put(":"); digits(minute, 2); put(":"); digits(second, 2); put(".")
            for byte in fractionBytes { buffer[out] = byte; out += 1 }
            put("Z")
            return out
        }
    }

    /// Days since 1601-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's civil_from_days, shifted).
    static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days - 134_774 + 719_468  // 1601-01-01 is 134,774 days before 1970-01-01
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// (year, month, day) → days since 1601-01-01.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468 + 134_774
    }

    package static func < (lhs: EVTXTimestamp, rhs: EVTXTimestamp) -> Bool { lhs.fileTime < rhs.fileTime }

    /// JSON stores a time as its ISO 8601 text (``TextCodable``).
    package static let textForm = "an ISO 8601 time"

    /// Parses the ISO 8601 text form, as ``init(iso8601:)``.
    package init?(text: String) { self.init(iso8601: text) }
}
