//! Whether the store can take writes right now, as the writer last found out. Readiness
//! reads it, so a node whose writes fail says so instead of answering 200 while every send
//! fails.

use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Shared between the writer (which records each outcome) and the health check.
#[derive(Clone, Debug, Default)]
pub struct WriteHealth(Arc<Mutex<Option<Trouble>>>);

/// Why writes fail, and since when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trouble {
    pub reason: String,
    pub since: Instant,
}

impl Trouble {
    /// `"the disk is full (for 12 s)"`.
    pub fn describe(&self) -> String {
        let secs = self.since.elapsed().as_secs();
        format!("{} (for {secs} s)", self.reason)
    }
}

impl WriteHealth {
    /// A write (or a probe) was committed: writes work.
    pub fn ok(&self) {
        let mut trouble = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(old) = trouble.take() {
            tracing::info!(
                after = ?old.since.elapsed(),
                "writes work again after: {}",
                old.reason
            );
        }
    }

    /// A write failed for `reason`; the first failure of a run keeps its time.
    pub fn failing(&self, reason: &str) {
        let mut trouble = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match trouble.as_mut() {
            Some(current) => {
                if current.reason != reason {
                    current.reason = reason.to_owned();
                }
            }
            None => {
                tracing::error!(reason, "writes are failing; the node reports not ready");
                *trouble = Some(Trouble {
                    reason: reason.to_owned(),
                    since: Instant::now(),
                });
            }
        }
    }

    /// What is wrong, if anything.
    pub fn trouble(&self) -> Option<Trouble> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn is_failing(&self) -> bool {
        self.0.lock().map(|t| t.is_some()).unwrap_or(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_is_reported_until_a_write_works_again() {
        let health = WriteHealth::default();
        assert!(health.trouble().is_none());
        health.failing("the disk is full");
        let first = health.trouble().map(|t| t.since);
        health.failing("the disk is full");
        assert_eq!(
            health.trouble().map(|t| t.since),
            first,
            "keeps the first time"
        );
        assert!(health
            .trouble()
            .is_some_and(|t| t.describe().starts_with("the disk is full (for ")));
        health.ok();
        assert!(!health.is_failing());
    }
}
