//! The Redis store's memberships and private rooms: `memberships.rs` and
//! `private_rooms.rs` hold the keys and scripts.

use super::{memberships, private_rooms, room_roster, RedisStore};
use crate::domain::{NotifyLevel, OnlineUser, RoomName, Seq, UserId};
use crate::server::store::{Membership, Privacy, RoomMembers, StoreError};
use async_trait::async_trait;

#[async_trait]
impl RoomMembers for RedisStore {
    async fn joined_rooms(&self, user: &UserId) -> Result<Vec<Membership>, StoreError> {
        memberships::joined(&self.conn, self.person(user), user, |room| self.room(room)).await
    }

    async fn mark_read(
        &self,
        user: &OnlineUser,
        room: &RoomName,
        seq: Seq,
    ) -> Result<(), StoreError> {
        let (person, keys) = (self.person(&user.id), self.room(room));
        memberships::mark_read(&self.conn, person, &keys, user, room, seq).await
    }

    async fn privacy(&self, room: &RoomName) -> Result<Privacy, StoreError> {
        private_rooms::privacy(&self.conn, &self.room(room)).await
    }

    async fn create_private(
        &self,
        room: &RoomName,
        creator: &OnlineUser,
        at: i64,
    ) -> Result<bool, StoreError> {
        let (keys, person) = (self.room(room), self.person(&creator.id));
        let globals = self.global();
        private_rooms::create(&self.conn, &keys, &globals, person, room, creator, at).await
    }

    async fn join_by_invite(
        &self,
        user: &OnlineUser,
        room: &RoomName,
        invite_version: u64,
    ) -> Result<bool, StoreError> {
        let (keys, person) = (self.room(room), self.person(&user.id));
        private_rooms::join(&self.conn, &keys, person, user, room, invite_version).await
    }

    async fn renew_invite(&self, room: &RoomName) -> Result<Option<u64>, StoreError> {
        private_rooms::renew(&self.conn, &self.room(room)).await
    }

    async fn is_member(&self, user: &UserId, room: &RoomName) -> Result<bool, StoreError> {
        room_roster::is_member(&self.conn, &self.room(room), user).await
    }

    async fn rename_member(&self, user: &OnlineUser) -> Result<(), StoreError> {
        let person = self.person(&user.id);
        memberships::rename(&self.conn, person, user, |room| self.room(room)).await
    }

    async fn set_notify(
        &self,
        user: &UserId,
        room: &RoomName,
        level: NotifyLevel,
    ) -> Result<bool, StoreError> {
        let keys = self.room(room);
        memberships::set_notify(&self.conn, self.person(user), &keys, room, user, level).await
    }

    async fn notified_of_everything(
        &self,
        room: &RoomName,
        limit: u32,
    ) -> Result<Vec<UserId>, StoreError> {
        room_roster::notified_of_everything(&self.conn, &self.room(room), limit).await
    }

    async fn members(&self, room: &RoomName, limit: u32) -> Result<Vec<OnlineUser>, StoreError> {
        room_roster::members(&self.conn, &self.room(room), limit).await
    }

    async fn members_among(
        &self,
        room: &RoomName,
        ids: &[UserId],
    ) -> Result<Vec<OnlineUser>, StoreError> {
        room_roster::members_among(&self.conn, &self.room(room), ids).await
    }

    async fn leave_room(&self, user: &UserId, room: &RoomName) -> Result<(), StoreError> {
        let (person, keys) = (self.person(user), self.room(room));
        memberships::leave(&self.conn, person, &keys, user, room).await
    }
}
