//! The brake on guessing passwords: after [`MAX_FAILURES`] failed sign-ins for one name, or
//! from one address, within [`WINDOW`], every sign-in for it is refused (429, with when to
//! try again), the right password too, until the oldest failure is a window old. Counted
//! per node.

use crate::error::ChatError;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const MAX_FAILURES: usize = 10;
pub const WINDOW: Duration = Duration::from_secs(60);
/// Past this many names and addresses remembered, the oldest failures are dropped.
const REMEMBERED: usize = 100_000;

/// Recent failures per name key and per address.
#[derive(Debug, Default)]
pub struct SignInGuard {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl SignInGuard {
    /// Refuses (429) when any of `keys` failed too often lately.
    pub fn check(&self, keys: &[String], now: Instant) -> Result<(), ChatError> {
        let mut failures = self.lock();
        let mut wait = Duration::ZERO;
        for key in keys {
            if let Some(times) = failures.get_mut(key) {
                forget_old(times, now);
                if times.len() >= MAX_FAILURES {
                    let oldest = times.front().copied().unwrap_or(now);
                    wait = wait.max(WINDOW.saturating_sub(now.duration_since(oldest)));
                }
            }
        }
        if wait.is_zero() {
            return Ok(());
        }
        Err(ChatError::RateLimited {
            retry_after: u32::try_from(wait.as_secs().max(1)).unwrap_or(u32::MAX),
        })
    }

    /// A sign-in with `keys` begins: refused (429) when any of them failed too often
    /// lately, else counted as a failure already, so a burst of attempts at once is
    /// counted whole; [`SignInGuard::succeeded`] takes it back.
    pub fn begin(&self, keys: &[String], now: Instant) -> Result<(), ChatError> {
        self.check(keys, now)?;
        self.failed(keys, now);
        Ok(())
    }

    /// The sign-in begun at `at` with `keys` succeeded: it is not a failure.
    pub fn succeeded(&self, keys: &[String], at: Instant) {
        let mut failures = self.lock();
        for key in keys {
            if let Some(times) = failures.get_mut(key) {
                if let Some(at) = times.iter().rposition(|t| *t == at) {
                    times.remove(at);
                }
            }
        }
    }

    /// A sign-in with `keys` failed.
    pub fn failed(&self, keys: &[String], now: Instant) {
        let mut failures = self.lock();
        if failures.len() >= REMEMBERED {
            failures.retain(|_, times| {
                forget_old(times, now);
                !times.is_empty()
            });
        }
        for key in keys {
            let times = failures.entry(key.clone()).or_default();
            forget_old(times, now);
            times.push_back(now);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<Instant>>> {
        self.failures.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn forget_old(times: &mut VecDeque<Instant>, now: Instant) {
    while times
        .front()
        .is_some_and(|t| now.duration_since(*t) >= WINDOW)
    {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_failures_for_a_name_or_an_address_stop_it_for_a_minute() {
        let guard = SignInGuard::default();
        let start = Instant::now();
        let ann = ["name:ann".to_owned(), "addr:1.2.3.4".to_owned()];
        for n in 0..MAX_FAILURES {
            assert!(guard.check(&ann, start).is_ok(), "failure {n}");
            guard.failed(&ann, start + Duration::from_secs(n as u64));
        }
        let refused = guard.check(&ann, start + Duration::from_secs(10));
        assert_eq!(refused, Err(ChatError::RateLimited { retry_after: 50 }));
        let same_address = ["name:bob".to_owned(), "addr:1.2.3.4".to_owned()];
        assert!(guard
            .check(&same_address, start + Duration::from_secs(10))
            .is_err());
        let elsewhere = ["name:bob".to_owned(), "addr:5.6.7.8".to_owned()];
        assert!(guard
            .check(&elsewhere, start + Duration::from_secs(10))
            .is_ok());
        assert!(
            guard.check(&ann, start + WINDOW).is_ok(),
            "a window after the first"
        );
    }
}
