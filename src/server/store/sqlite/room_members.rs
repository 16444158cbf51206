//! The SQLite store's memberships and private rooms: `memberships.rs` and
//! `private_rooms.rs` hold the SQL.

use super::{memberships, private_rooms, SqliteStore};
use crate::domain::{NotifyLevel, OnlineUser, RoomName, Seq, UserId};
use crate::server::store::{Membership, Privacy, RoomMembers, StoreError};
use async_trait::async_trait;

#[async_trait]
impl RoomMembers for SqliteStore {
    async fn joined_rooms(&self, user: &UserId) -> Result<Vec<Membership>, StoreError> {
        memberships::joined(&self.pool, user).await
    }

    async fn mark_read(
        &self,
        user: &OnlineUser,
        room: &RoomName,
        seq: Seq,
    ) -> Result<(), StoreError> {
        memberships::mark_read(&self.pool, user, room, seq).await
    }

    async fn privacy(&self, room: &RoomName) -> Result<Privacy, StoreError> {
        if self.empty_rooms.knows(room) {
            return Ok(Privacy::Public {
                has_messages: false,
            });
        }
        let ticket = self.empty_rooms.ticket();
        let privacy = private_rooms::privacy(&self.point_reader, room).await?;
        if privacy
            == (Privacy::Public {
                has_messages: false,
            })
        {
            self.empty_rooms.read_empty(room, ticket);
        }
        Ok(privacy)
    }

    async fn create_private(
        &self,
        room: &RoomName,
        creator: &OnlineUser,
        at: i64,
    ) -> Result<bool, StoreError> {
        // On a task of its own, so that the rooms remembered empty stay forgotten until
        // the creation is done, even if its caller goes away while it commits.
        let creating = self.empty_rooms.creating();
        let (pool, room, creator) = (self.pool.clone(), room.clone(), creator.clone());
        tokio::spawn(async move {
            let created = private_rooms::create(&pool, &room, &creator, at).await;
            drop(creating);
            created
        })
        .await
        .map_err(|error| StoreError::Failed(Box::new(error)))?
    }

    async fn join_by_invite(
        &self,
        user: &OnlineUser,
        room: &RoomName,
        invite_version: u64,
    ) -> Result<bool, StoreError> {
        private_rooms::join(&self.pool, user, room, invite_version).await
    }

    async fn renew_invite(&self, room: &RoomName) -> Result<Option<u64>, StoreError> {
        private_rooms::renew(&self.pool, room).await
    }

    async fn is_member(&self, user: &UserId, room: &RoomName) -> Result<bool, StoreError> {
        private_rooms::is_member(&self.pool, user, room).await
    }

    async fn rename_member(&self, user: &OnlineUser) -> Result<(), StoreError> {
        memberships::rename(&self.pool, user).await
    }

    async fn set_notify(
        &self,
        user: &UserId,
        room: &RoomName,
        level: NotifyLevel,
    ) -> Result<bool, StoreError> {
        memberships::set_notify(&self.pool, user, room, level).await
    }

    async fn members(&self, room: &RoomName, limit: u32) -> Result<Vec<OnlineUser>, StoreError> {
        memberships::members(&self.pool, room, limit).await
    }

    async fn members_among(
        &self,
        room: &RoomName,
        ids: &[UserId],
    ) -> Result<Vec<OnlineUser>, StoreError> {
        memberships::members_among(&self.pool, room, ids).await
    }

    async fn notified_of_everything(
        &self,
        room: &RoomName,
        limit: u32,
    ) -> Result<Vec<UserId>, StoreError> {
        memberships::notified_of_everything(&self.pool, room, limit).await
    }

    async fn leave_room(&self, user: &UserId, room: &RoomName) -> Result<(), StoreError> {
        memberships::leave(&self.pool, user, room).await
    }
}
