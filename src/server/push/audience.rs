//! Who is told of a message by a push. What depends only on the room (who asked for every
//! message, who is online in it, a direct room's two people) is read once for all of the
//! room's messages the worker has at hand; only the people a message names are looked up
//! one by one.

use crate::domain::{ChatMessage, NotifyLevel, RoomName, UserId};
use crate::server::access::restrictions::Restrictions;
use crate::server::presence::Presences;
use crate::server::store::{Store, StoreError};
use std::collections::HashSet;
use std::sync::Arc;

/// The most people of one room told of every message.
const TOLD_OF_EVERYTHING: u32 = 1_000;

/// What deciding who is told reads.
pub(super) struct Audience {
    pub(super) store: Arc<dyn Store>,
    pub(super) presence: Presences,
    pub(super) restrictions: Arc<Restrictions>,
}

/// One room's side of the answer, read at one moment.
pub(super) struct RoomAudience {
    /// Members whose level is "every message" already.
    everything: Vec<UserId>,
    /// In a direct-message room, its two people (each told as if named).
    direct: Vec<UserId>,
    /// Online in the room on any node: they see the message there.
    online: HashSet<UserId>,
}

impl Audience {
    /// Reads `room`'s side of who is told.
    pub(super) async fn of_room(&self, room: &RoomName) -> Result<RoomAudience, StoreError> {
        let direct = match room.is_direct() {
            true => self.store.members(room, 2).await?,
            false => Vec::new(),
        };
        let everything = self
            .store
            .notified_of_everything(room, TOLD_OF_EVERYTHING)
            .await?;
        let online = self.presence.snapshot(room).await.online;
        Ok(RoomAudience {
            everything,
            direct: direct.into_iter().map(|member| member.id).collect(),
            online: online.into_iter().map(|user| user.id).collect(),
        })
    }

    /// Who is told of `message` (of the room `room` was read for): the people it mentions,
    /// the room's people who asked for every message (up to [`TOLD_OF_EVERYTHING`]) and, in
    /// a direct-message room, the other person. Never its author, anyone banned, anyone
    /// online in the room on any node (they see it there), anyone no longer a member of the
    /// room, or anyone whose room notifies them of nothing.
    pub(super) async fn told(
        &self,
        room: &RoomAudience,
        message: &ChatMessage,
    ) -> Result<Vec<UserId>, StoreError> {
        let left_out = |person: &UserId, told: &HashSet<UserId>| {
            *person == message.author_id
                || room.online.contains(person)
                || self.restrictions.is_banned(person)
                || told.contains(person)
        };
        // The people named: their membership and level are read for each (a few at most).
        let named = message.mentions.iter().map(|m| &m.id).chain(&room.direct);
        let mut told = HashSet::new();
        for person in named {
            if left_out(person, &told) {
                continue;
            }
            let level = self
                .store
                .joined_rooms(person)
                .await?
                .into_iter()
                .find(|membership| membership.room == message.room)
                .map(|membership| membership.notify);
            if matches!(level, Some(NotifyLevel::Every | NotifyLevel::Mentions)) {
                told.insert(person.clone());
            }
        }
        for person in &room.everything {
            if !left_out(person, &told) {
                told.insert(person.clone());
            }
        }
        Ok(told.into_iter().collect())
    }
}
