//! How big a stream's writes are: frames gathered into one write of at most [`WRITE_BYTES`],
//! and catch-up pages sized to fill about one write.

use bytes::{Bytes, BytesMut};

/// The most one write of a stream carries, unless a single event is larger.
pub const WRITE_BYTES: usize = 64 * 1024;
/// The fewest and most stored events one catch-up read fetches; in between, pages are sized
/// from the events just read to fill about one write.
pub(super) const PAGE_EVENTS: std::ops::RangeInclusive<u32> = 1..=500;
/// The first catch-up read, before anything is known of the room's event sizes.
pub(super) const FIRST_PAGE_EVENTS: u32 = 64;

/// Frames gathered for one write.
#[derive(Default)]
pub(super) struct Batch {
    first: Option<Bytes>,
    rest: Option<BytesMut>,
}

impl Batch {
    pub(super) fn len(&self) -> usize {
        match (&self.first, &self.rest) {
            (_, Some(rest)) => rest.len(),
            (Some(first), None) => first.len(),
            (None, None) => 0,
        }
    }

    pub(super) fn push(&mut self, frame: Bytes) {
        match (&self.first, &mut self.rest) {
            (None, _) => self.first = Some(frame),
            (Some(first), None) => {
                let mut rest = BytesMut::with_capacity(first.len() + frame.len() * 4);
                rest.extend_from_slice(first);
                rest.extend_from_slice(&frame);
                self.rest = Some(rest);
            }
            (Some(_), Some(rest)) => rest.extend_from_slice(&frame),
        }
    }

    pub(super) fn finish(self) -> Option<Bytes> {
        match self.rest {
            Some(rest) => Some(rest.freeze()),
            None => self.first,
        }
    }
}

/// How many events the next catch-up read fetches, after `events` made `bytes`: about one
/// write's worth of events that size.
pub(super) fn page_events_for(bytes: usize, events: usize) -> u32 {
    let average = (bytes / events.max(1)).max(1);
    let fitting = u32::try_from(WRITE_BYTES / average).unwrap_or(u32::MAX);
    fitting.clamp(*PAGE_EVENTS.start(), *PAGE_EVENTS.end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_of_large_events_are_short_and_pages_of_small_ones_long() {
        assert_eq!(page_events_for(64 * 8_000, 64), 8);
        assert_eq!(page_events_for(20_000, 1), 3);
        assert_eq!(page_events_for(200_000, 1), 1);
        assert_eq!(page_events_for(64 * 150, 64), 436);
        assert_eq!(page_events_for(64 * 20, 64), 500);
    }
}
