//! Whether the leader's stream is alive and complete. Phones and some proxies drop a stream
//! without an error: a stream that has sent nothing (no event, no heartbeat) for 2.5
//! heartbeat intervals is dead. And a heartbeat names each room's newest seq: a room whose
//! newest stays ahead of what was delivered from one beat to the next has missed something.

use super::StreamPlan;
use crate::domain::{Heartbeat, RoomName, Seq};
use std::collections::BTreeMap;

/// Until the server says, assume its default interval.
const DEFAULT_EVERY_MS: f64 = 15_000.0;

#[derive(Debug, Clone, Default)]
pub struct Liveness {
    every_ms: Option<f64>,
    /// When something last arrived (ms on the browser's clock); `None`: no stream open.
    last_heard: Option<f64>,
    /// Rooms that the last beat said were ahead of what had been delivered.
    ahead: BTreeMap<RoomName, Seq>,
}

impl Liveness {
    /// A stream was opened at `now`: it has until the silence limit to say something.
    pub fn opened(&mut self, now: f64) {
        self.last_heard = Some(now);
        self.ahead.clear();
    }

    /// No stream is open (closed on purpose, or waiting to reconnect).
    pub fn closed(&mut self) {
        self.last_heard = None;
        self.ahead.clear();
    }

    /// Anything arrived on the stream at `now`.
    pub fn heard(&mut self, now: f64) {
        if self.last_heard.is_some() {
            self.last_heard = Some(now);
        }
    }

    /// How long silence may last before the stream counts as dead, in ms.
    pub fn silence_limit_ms(&self) -> f64 {
        2.5 * self.every_ms.unwrap_or(DEFAULT_EVERY_MS)
    }

    /// Whether an open stream has been silent past the limit at `now`.
    pub fn is_dead(&self, now: f64) -> bool {
        self.last_heard
            .is_some_and(|last| now - last > self.silence_limit_ms())
    }

    /// A heartbeat arrived: `true` when a room is still behind what the previous beat
    /// announced, so the stream missed an event and should be opened again.
    pub fn beat(&mut self, beat: &Heartbeat, plan: &StreamPlan) -> bool {
        if beat.every_ms > 0 {
            self.every_ms = Some(beat.every_ms as f64);
        }
        let delivered = |room: &RoomName| plan.cursor(room).unwrap_or(Seq::ZERO);
        let missed = self
            .ahead
            .iter()
            .any(|(room, newest)| plan.cursor(room).is_some() && delivered(room) < *newest);
        self.ahead = beat
            .rooms
            .iter()
            .filter(|(room, newest)| plan.cursor(room).is_some() && delivered(room) < **newest)
            .map(|(room, newest)| (room.clone(), *newest))
            .collect();
        if missed {
            self.ahead.clear();
        }
        missed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn beat(newest: u64, every_ms: u64) -> Heartbeat {
        Heartbeat {
            rooms: [(RoomName::lobby(), Seq(newest))].into(),
            every_ms,
        }
    }

    fn plan_at(cursor: u64) -> StreamPlan {
        let mut plan = StreamPlan::default();
        plan.want("tab", [(RoomName::lobby(), Seq(cursor))].into());
        plan
    }

    #[test]
    fn silence_past_two_and_a_half_beats_is_death_and_the_interval_comes_from_the_server() {
        let mut liveness = Liveness::default();
        assert!(
            !liveness.is_dead(1e12),
            "no stream open: nothing to be dead"
        );
        liveness.opened(0.0);
        assert!(!liveness.is_dead(37_000.0));
        assert!(liveness.is_dead(37_600.0), "2.5 × the default 15 s");
        liveness.beat(&beat(0, 1_000), &plan_at(0));
        liveness.heard(40_000.0);
        assert!(!liveness.is_dead(42_400.0));
        assert!(liveness.is_dead(42_600.0), "2.5 × the server's 1 s");
        liveness.closed();
        assert!(!liveness.is_dead(1e12));
    }

    #[test]
    fn a_room_left_behind_a_beat_for_a_whole_interval_has_missed_something() {
        let mut liveness = Liveness::default();
        let mut plan = plan_at(3);
        liveness.opened(0.0);
        assert!(!liveness.beat(&beat(3, 1_000), &plan), "up to date");
        assert!(
            !liveness.beat(&beat(4, 1_000), &plan),
            "4 may be on its way"
        );
        plan.delivered(&RoomName::lobby(), Seq(4));
        assert!(
            !liveness.beat(&beat(5, 1_000), &plan),
            "4 came; 5 may be on its way"
        );
        assert!(liveness.beat(&beat(5, 1_000), &plan), "5 never came");
        assert!(
            !liveness.beat(&beat(5, 1_000), &plan),
            "asked once, then afresh"
        );
    }

    #[test]
    fn rooms_the_stream_does_not_carry_are_not_its_business() {
        let mut liveness = Liveness::default();
        let plan = plan_at(3);
        let other = Heartbeat {
            rooms: [(RoomName::parse("other").expect("name"), Seq(9))].into(),
            every_ms: 1_000,
        };
        assert!(!liveness.beat(&other, &plan));
        assert!(!liveness.beat(&other, &plan));
    }
}
