//! Token buckets, one per key (a session's user id, a client address): `burst` requests at
//! once, then `per_minute` on average. Buckets that have filled up again are forgotten, so
//! the map holds only keys that were busy recently.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many requests a bucket allows at once, and how fast it refills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub burst: u32,
    pub per_minute: u32,
}

impl Rate {
    /// The same rate `factor` times over (the allowance of an address, shared by the
    /// people behind it).
    pub fn times(self, factor: u32) -> Rate {
        Rate {
            burst: self.burst.saturating_mul(factor),
            per_minute: self.per_minute.saturating_mul(factor),
        }
    }

    fn per_second(self) -> f64 {
        f64::from(self.per_minute.max(1)) / 60.0
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// How many takes between sweeps of full buckets.
const SWEEP_EVERY: u32 = 1024;

/// One bucket per key, all at the same rate.
#[derive(Debug)]
pub struct Buckets<K> {
    rate: Rate,
    state: Mutex<(HashMap<K, Bucket>, u32)>,
}

impl<K: Hash + Eq + Clone> Buckets<K> {
    pub fn new(rate: Rate) -> Self {
        Self {
            rate,
            state: Mutex::new((HashMap::new(), 0)),
        }
    }

    /// Takes one token from `key`'s bucket, or answers how long until one is there.
    pub fn take(&self, key: &K, now: Instant) -> Result<(), Duration> {
        let rate = self.rate;
        let burst = f64::from(rate.burst.max(1));
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let (buckets, takes) = &mut *state;
        *takes += 1;
        if *takes >= SWEEP_EVERY {
            *takes = 0;
            buckets.retain(|_, bucket| refilled(bucket, rate, now) < burst);
        }
        let bucket = buckets.entry(key.clone()).or_insert(Bucket {
            tokens: burst,
            updated: now,
        });
        bucket.tokens = refilled(bucket, rate, now).min(burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                (1.0 - bucket.tokens) / rate.per_second(),
            ))
        }
    }

    /// How many keys have a bucket (tests).
    pub fn len(&self) -> usize {
        self.state.lock().map(|s| s.0.len()).unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn refilled(bucket: &Bucket, rate: Rate, now: Instant) -> f64 {
    let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
    bucket.tokens + elapsed * rate.per_second()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: Rate = Rate {
        burst: 3,
        per_minute: 60,
    };

    #[test]
    fn a_burst_passes_then_one_per_refill_interval() {
        let buckets = Buckets::new(RATE);
        let start = Instant::now();
        for _ in 0..3 {
            assert!(buckets.take(&"ann", start).is_ok());
        }
        let wait = buckets.take(&"ann", start).err();
        assert!(wait.is_some_and(|w| w > Duration::from_millis(900) && w <= Duration::from_secs(1)));
        assert!(buckets.take(&"bob", start).is_ok(), "keys are separate");
        let later = start + Duration::from_millis(1_001);
        assert!(
            buckets.take(&"ann", later).is_ok(),
            "refilled after a second"
        );
        assert!(buckets.take(&"ann", later).is_err());
    }

    #[test]
    fn buckets_that_filled_up_again_are_forgotten() {
        let buckets = Buckets::new(RATE);
        let start = Instant::now();
        for key in 0..10 {
            let _ = buckets.take(&key, start);
        }
        assert_eq!(buckets.len(), 10);
        let much_later = start + Duration::from_secs(60);
        for _ in 0..SWEEP_EVERY {
            let _ = buckets.take(&-1, much_later);
        }
        assert_eq!(buckets.len(), 1, "only the busy key is left");
    }
}
