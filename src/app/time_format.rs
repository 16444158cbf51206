//! Message times and days. The server does not know the viewer's time zone, so it renders
//! UTC; once the page is hydrated every time and day switches to the viewer's local clock.
//! Everything here works on "wall-clock milliseconds": a time shifted into the zone shown.

use super::Hydrated;
use crate::domain::calendar::civil_from_days;
pub use crate::domain::calendar::{clock, day_of};
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Which clock the page shows: UTC until hydrated (as the server rendered it), then the
/// viewer's own.
#[derive(Debug, Clone, Copy)]
pub struct ViewClock {
    local: bool,
}

impl ViewClock {
    /// The clock for the page as it is now (tracked: it changes once, at hydration).
    pub fn of(hydrated: Option<Hydrated>) -> Self {
        #[cfg(feature = "hydrate")]
        let local = hydrated.is_some_and(Hydrated::get);
        #[cfg(not(feature = "hydrate"))]
        let local = {
            let _ = hydrated;
            false
        };
        Self { local }
    }

    /// `millis` (since the Unix epoch) as wall-clock milliseconds on this clock.
    pub fn wall(self, millis: i64) -> i64 {
        #[cfg(feature = "hydrate")]
        if self.local {
            // f64 holds every millisecond timestamp of the next 285,000 years exactly.
            let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(millis as f64));
            return millis - (date.get_timezone_offset() * 60_000.0) as i64;
        }
        let _ = self.local;
        millis
    }

    /// Now, as wall-clock milliseconds.
    pub fn now(self) -> i64 {
        #[cfg(feature = "hydrate")]
        let now = js_sys::Date::now() as i64;
        #[cfg(not(feature = "hydrate"))]
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or_default();
        self.wall(now)
    }
}

/// A message's time as the list shows it: `HH:MM` today, `20 Nov, HH:MM` earlier this
/// year, `20 Nov 2025, HH:MM` before.
pub fn stamp(wall: i64, now: i64) -> String {
    if day_of(wall) == day_of(now) {
        return clock(wall);
    }
    let (year, month, day) = civil_from_days(day_of(wall));
    let month = MONTHS[month as usize - 1];
    if year == civil_from_days(day_of(now)).0 {
        format!("{day} {month}, {}", clock(wall))
    } else {
        format!("{day} {month} {year}, {}", clock(wall))
    }
}

/// The separator above a day's first message: "Today", "Yesterday", or the full date.
pub fn day_label(day: i64, today: i64) -> String {
    match today - day {
        0 => "Today".to_owned(),
        1 => "Yesterday".to_owned(),
        _ => {
            let (year, month, date) = civil_from_days(day);
            // 1970-01-01 was a Thursday.
            let weekday = WEEKDAYS[(day + 4).rem_euclid(7) as usize];
            format!(
                "{weekday}, {date} {} {year}",
                MONTH_NAMES[month as usize - 1]
            )
        }
    }
}

/// `YYYY-MM-DDTHH:MMZ`, for the `datetime` attribute and the tooltip.
pub fn utc_iso(millis: i64) -> String {
    let (year, month, day) = civil_from_days(day_of(millis));
    format!("{year:04}-{month:02}-{day:02}T{}Z", clock(millis))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::DAY_MS;

    // 2026-11-21 20:14:11 UTC, a Saturday.
    const SATURDAY: i64 = 1_795_292_051_000;

    #[test]
    fn the_epoch_and_a_known_instant_format_in_utc() {
        assert_eq!(utc_iso(0), "1970-01-01T00:00Z");
        assert_eq!(utc_iso(SATURDAY), "2026-11-21T20:14Z");
        assert_eq!(clock(SATURDAY), "20:14");
    }

    #[test]
    fn leap_days_are_counted() {
        // 2024-02-29 12:00 UTC
        assert_eq!(utc_iso(1_709_208_000_000), "2024-02-29T12:00Z");
    }

    #[test]
    fn times_before_today_show_their_date_and_the_year_when_it_differs() {
        assert_eq!(stamp(SATURDAY, SATURDAY + 3_600_000), "20:14");
        assert_eq!(stamp(SATURDAY, SATURDAY + DAY_MS), "21 Nov, 20:14");
        assert_eq!(
            stamp(SATURDAY, SATURDAY + 60 * DAY_MS),
            "21 Nov 2026, 20:14"
        );
    }

    #[test]
    fn days_are_named_today_yesterday_or_in_full() {
        let day = day_of(SATURDAY);
        assert_eq!(day_label(day, day), "Today");
        assert_eq!(day_label(day, day + 1), "Yesterday");
        assert_eq!(day_label(day, day + 2), "Saturday, 21 November 2026");
        assert_eq!(day_label(0, 100), "Thursday, 1 January 1970");
    }
}
