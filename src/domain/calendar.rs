//! Calendar arithmetic on milliseconds since the Unix epoch, without a time-zone database:
//! the callers shift a time into the zone they show first.

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// The day (days since 1970-01-01) of a time in milliseconds.
pub fn day_of(millis: i64) -> i64 {
    millis.div_euclid(DAY_MS)
}

/// `HH:MM` of a time in milliseconds.
pub fn clock(millis: i64) -> String {
    let minutes = millis.div_euclid(60_000).rem_euclid(24 * 60);
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Days since 1970-01-01 to a (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `YYYY-MM-DD HH:MM` of a time in milliseconds.
pub fn date_time(millis: i64) -> String {
    let (year, month, day) = civil_from_days(day_of(millis));
    format!("{year:04}-{month:02}-{day:02} {}", clock(millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_days_and_leap_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        // 2024-02-29 12:00 UTC
        assert_eq!(date_time(1_709_208_000_000), "2024-02-29 12:00");
        assert_eq!(date_time(-60_000), "1969-12-31 23:59");
    }
}
