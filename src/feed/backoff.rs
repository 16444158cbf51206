//! How long to wait before reconnecting: "full jitter" (a random delay between zero and a
//! ceiling that doubles with each failure, up to a cap), so that thousands of tabs cut off
//! at once come back spread out instead of in the same instant.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    failures: u32,
}

impl Default for Backoff {
    /// Within a second at first; never more than 30 seconds.
    fn default() -> Self {
        Self::new(Duration::from_secs(1), Duration::from_secs(30))
    }
}

impl Backoff {
    pub fn new(base: Duration, cap: Duration) -> Self {
        Self {
            base,
            cap,
            failures: 0,
        }
    }

    /// The delay before the next attempt, given `random` in [0, 1); the ceiling doubles.
    pub fn next_delay(&mut self, random: f64) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(1u32.checked_shl(self.failures).unwrap_or(u32::MAX))
            .min(self.cap);
        self.failures = self.failures.saturating_add(1);
        ceiling.mul_f64(random.clamp(0.0, 1.0))
    }

    /// The stream is up again: the next failure starts from the base.
    pub fn succeeded(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_are_spread_from_zero_to_a_ceiling_that_doubles_up_to_the_cap() {
        let mut backoff = Backoff::default();
        let ceilings: Vec<u64> = (0..8)
            .map(|_| backoff.next_delay(0.999_999).as_millis() as u64)
            .collect();
        assert_eq!(
            ceilings,
            [999, 1999, 3999, 7999, 15999, 29999, 29999, 29999]
        );
        assert_eq!(backoff.next_delay(0.0), Duration::ZERO, "from zero");
        assert_eq!(backoff.next_delay(0.5), Duration::from_secs(15));
        backoff.succeeded();
        assert_eq!(backoff.next_delay(0.5), Duration::from_millis(500));
    }

    #[test]
    fn many_failures_never_overflow() {
        let mut backoff = Backoff::default();
        for _ in 0..100 {
            assert!(backoff.next_delay(1.0) <= Duration::from_secs(30));
        }
    }
}
