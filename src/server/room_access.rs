//! Who may read and write a room: anyone for a public room, only its members for a private
//! one. Every route that shows or changes a room asks here first; a refusal is a 403 that
//! says nothing of the room (not its name, not its size).
//!
//! A public room that has messages can never become private (`create_private` refuses a
//! name in use), so it is remembered per node and asks the store nothing again: the send
//! path and streams of public rooms pay one store read per room per node. A room without
//! messages is asked about each time; a private room's membership too.

use super::store::{Privacy, Store, StoreError};
use crate::domain::{RoomName, UserId};
use crate::error::ChatError;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// At most this many public rooms are remembered (then the memory starts over).
const REMEMBERED: usize = 100_000;

/// The refusal, the same for every private room.
pub fn refused() -> ChatError {
    ChatError::Forbidden("This room is private: only its members can open it.".into())
}

pub struct RoomAccess {
    store: Arc<dyn Store>,
    public: Mutex<HashSet<RoomName>>,
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
        }
    }

    /// Whether `room` is private, remembering public rooms with messages.
    pub async fn privacy(&self, room: &RoomName) -> Result<Privacy, StoreError> {
        if self.known_public(room) {
            return Ok(Privacy::Public { has_messages: true });
        }
        let privacy = self.store.privacy(room).await?;
        if privacy == (Privacy::Public { has_messages: true }) {
            if let Ok(mut public) = self.public.lock() {
                if public.len() >= REMEMBERED {
                    public.clear();
                }
                public.insert(room.clone());
            }
        }
        Ok(privacy)
    }

    /// Lets `user` into `room`, or answers 403.
    pub async fn check(&self, user: &UserId, room: &RoomName) -> Result<(), ChatError> {
        if self.may_read(user, room).await? {
            Ok(())
        } else {
            Err(refused())
        }
    }

    /// Whether `user` may read and write `room`.
    pub async fn may_read(&self, user: &UserId, room: &RoomName) -> Result<bool, StoreError> {
        match self.privacy(room).await? {
            Privacy::Public { .. } => Ok(true),
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
