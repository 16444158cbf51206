//! Message times. The server does not know the viewer's time zone, so it renders UTC; once
//! the page is hydrated every time switches to the viewer's local clock.

/// `HH:MM` in UTC for a time in milliseconds since the Unix epoch.
pub fn utc_clock(millis: i64) -> String {
    let minutes = millis.div_euclid(60_000).rem_euclid(24 * 60);
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// `YYYY-MM-DDTHH:MMZ`, for the `datetime` attribute and the tooltip.
pub fn utc_iso(millis: i64) -> String {
    let days = millis.div_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}T{}Z", utc_clock(millis))
}

/// `HH:MM` on the viewer's clock (browser only).
#[cfg(feature = "hydrate")]
pub fn local_clock(millis: i64) -> String {
    // f64 holds every millisecond timestamp of the next 285,000 years exactly.
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(millis as f64));
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}

/// Days since 1970-01-01 to a (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_epoch_and_a_known_instant_format_in_utc() {
        assert_eq!(utc_iso(0), "1970-01-01T00:00Z");
        // 2026-11-21 20:14:11 UTC
        assert_eq!(utc_iso(1_795_292_051_000), "2026-11-21T20:14Z");
        assert_eq!(utc_clock(1_795_292_051_000), "20:14");
    }

    #[test]
    fn leap_days_are_counted() {
        // 2024-02-29 12:00 UTC
        assert_eq!(utc_iso(1_709_208_000_000), "2024-02-29T12:00Z");
    }
}
