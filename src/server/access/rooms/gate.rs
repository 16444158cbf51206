//! What an open stream checks before it sends anything more of its room: whether its
//! person may still read it, judged from the store *after* the stream obtained what it is
//! about to send. That is what keeps a private room's events from a stream opened before
//! the room became private, or kept open by someone who has since left or been removed,
//! on every node, whatever path the event took (live, the room's window, a catch-up read).
//!
//! What it costs: nothing for a public room with messages (public for good); for a room
//! that may still become private, and for a private room, one shared privacy read per
//! delivery (`waves.rs`), and a membership read for this person only when the room's
//! access version moved (someone left or was removed) since the last one.

use super::RoomAccess;
use crate::domain::{RoomName, UserId};
use crate::server::store::{Privacy, StoreError};
use std::sync::Arc;

/// One open stream's right to its room.
pub struct StreamGate {
    access: Arc<RoomAccess>,
    user: UserId,
    state: State,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Public with messages: public for good, nothing to check again.
    Open,
    /// Public without messages when last checked: it may have become private since.
    Unsettled,
    /// Private, with the person a member as of this access version.
    Member { access_version: u64 },
}

impl std::fmt::Debug for StreamGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamGate")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl StreamGate {
    /// The gate of a stream admitted when the room's privacy was `privacy` (and, for a
    /// private room, the person a member after it was read).
    pub(super) fn new(access: Arc<RoomAccess>, user: UserId, privacy: &Privacy) -> Self {
        let state = match privacy {
            Privacy::Public { has_messages: true } => State::Open,
            Privacy::Public {
                has_messages: false,
            } => State::Unsettled,
            Privacy::Private { access_version, .. } => State::Member {
                access_version: *access_version,
            },
        };
        Self {
            access,
            user,
            state,
        }
    }

    /// Whether the room is public for good: nothing is checked any more.
    pub fn is_open(&self) -> bool {
        self.state == State::Open
    }

    /// Whether the room was private when last checked (its membership is what is checked).
    pub fn is_private(&self) -> bool {
        matches!(self.state, State::Member { .. })
    }

    /// The person whose stream this is.
    pub fn user(&self) -> &UserId {
        &self.user
    }

    /// Whether the stream may send what it holds of `room` now: call it after obtaining
    /// the events, before sending them. `false`: the stream must end, sending nothing more.
    pub async fn may_send(&mut self, room: &RoomName) -> Result<bool, StoreError> {
        if self.state == State::Open {
            return Ok(true);
        }
        match self.access.fresh_privacy(room).await? {
            Privacy::Public { has_messages: true } => {
                self.state = State::Open;
                Ok(true)
            }
            Privacy::Public {
                has_messages: false,
            } => Ok(true),
            Privacy::Private { access_version, .. } => {
                if self.state == (State::Member { access_version }) {
                    return Ok(true);
                }
                // The version was read first: a removal after it moves it again.
                let member = self.access.store.is_member(&self.user, room).await?;
                if member {
                    self.state = State::Member { access_version };
                }
                Ok(member)
            }
        }
    }
}
