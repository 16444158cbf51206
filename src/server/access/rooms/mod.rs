//! Who may read and write a room: anyone for a public room, only its members for a private
//! one. Every route that shows or changes a room asks here first; a refusal is a 403 that
//! says nothing of the room (not its name, not its size).
//!
//! A public room that has messages can never become private (`create_private` refuses a
//! name in use), so it is remembered per node and asks the store nothing again: the send
//! path and streams of public rooms pay one store read per room per node. A room without
//! messages is asked about each time; a private room's membership too.
//!
//! An open stream is checked again before it sends anything more (`gate.rs`): access
//! checked when it opened is not enough, since an empty room can become private and a
//! member can leave or be removed while the stream stays open.

mod direct;
mod gate;
mod waves;

pub use direct::direct_room;
pub use gate::StreamGate;

use crate::domain::{Role, RoomName, Seq, UserId};
use crate::error::ChatError;
use crate::server::store::{Privacy, Store, StoreError};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use waves::Waves;

/// At most this many public rooms are remembered (then the memory starts over).
const REMEMBERED: usize = 100_000;

pub struct RoomAccess {
    store: Arc<dyn Store>,
    public: Mutex<HashSet<RoomName>>,
    /// Privacy reads that open streams share (see [`RoomAccess::fresh_privacy`]).
    waves: Waves,
}

impl std::fmt::Debug for RoomAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let remembered = self.public.lock().map(|public| public.len()).unwrap_or(0);
        f.debug_struct("RoomAccess")
            .field("public_rooms_remembered", &remembered)
            .finish_non_exhaustive()
    }
}

impl RoomAccess {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            public: Mutex::new(HashSet::new()),
            waves: Waves::default(),
        }
    }

    /// Whether `room` is private, remembering public rooms with messages.
    pub async fn privacy(&self, room: &RoomName) -> Result<Privacy, StoreError> {
        if self.known_public(room) {
            return Ok(Privacy::Public { has_messages: true });
        }
        let privacy = self.store.privacy(room).await?;
        self.remember(room, &privacy);
        Ok(privacy)
    }

    /// Whether someone of `role` with id `user` moderates `room` (deletes anyone's message
    /// in it): an administrator everywhere; otherwise the room's creator, who is a private
    /// room's creator or, for a public room, the author of its first message.
    pub async fn moderates(
        &self,
        user: &UserId,
        role: Option<Role>,
        room: &RoomName,
    ) -> Result<bool, StoreError> {
        if role == Some(Role::Admin) {
            return Ok(true);
        }
        Ok(match self.privacy(room).await? {
            Privacy::Private { creator, .. } => &creator == user,
            Privacy::Public { .. } => self
                .store
                .message(room, Seq(1))
                .await?
                .is_some_and(|first| &first.author_id == user),
        })
    }

    /// Whether `room` is private, read from the store after this call began (unless it is
    /// known public for good). Open streams ask this after they obtained an event and
    /// before they send it; the streams of a room asking at once share one read.
    pub async fn fresh_privacy(&self, room: &RoomName) -> Result<Privacy, StoreError> {
        if self.known_public(room) {
            return Ok(Privacy::Public { has_messages: true });
        }
        let privacy = self.waves.read(room, || self.store.privacy(room)).await?;
        self.remember(room, &privacy);
        Ok(privacy)
    }

    fn remember(&self, room: &RoomName, privacy: &Privacy) {
        if *privacy == (Privacy::Public { has_messages: true }) {
            if let Ok(mut public) = self.public.lock() {
                if public.len() >= REMEMBERED {
                    public.clear();
                }
                public.insert(room.clone());
            }
        }
    }

    /// Lets `user` open a stream of `room`, or answers 403. The gate it answers checks
    /// again before the stream sends anything more.
    pub async fn admit(
        self: &Arc<Self>,
        user: &UserId,
        room: &RoomName,
    ) -> Result<StreamGate, ChatError> {
        // Streams opening at once (a page load of many tabs, a reconnect storm, a
        // room without messages yet) share one read, begun after each asked.
        let privacy = self.fresh_privacy(room).await?;
        match privacy {
            Privacy::Private { .. } if !self.store.is_member(user, room).await? => {
                return Err(ChatError::private_room());
            }
            // A direct-message name that is not (yet) a private room is nobody's.
            Privacy::Public { .. } if room.is_direct() => return Err(ChatError::private_room()),
            _ => {}
        }
        Ok(StreamGate::new(self.clone(), user.clone(), &privacy))
    }

    /// Lets `user` into `room`, or answers 403.
    pub async fn check(&self, user: &UserId, room: &RoomName) -> Result<(), ChatError> {
        if self.may_read(user, room).await? {
            Ok(())
        } else {
            Err(ChatError::private_room())
        }
    }

    /// Whether `user` may read and write `room`.
    pub async fn may_read(&self, user: &UserId, room: &RoomName) -> Result<bool, StoreError> {
        match self.privacy(room).await? {
            // A direct-message name that is not (yet) a private room is nobody's.
            Privacy::Public { .. } => Ok(!room.is_direct()),
            Privacy::Private { .. } => self.store.is_member(user, room).await,
        }
    }

    /// Whether `room` is known to be public with messages here: then it can never become
    /// private, and a write to it needs no second look (`NewMessage::recheck_access`).
    pub fn known_public(&self, room: &RoomName) -> bool {
        self.public
            .lock()
            .map(|public| public.contains(room))
            .unwrap_or(false)
    }
}
