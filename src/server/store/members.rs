//! Who joined which room: read marks, the names rooms know people by, what each room
//! notifies them of, and private rooms (whose members are the only ones let in). Every
//! [`Store`](super::Store) is also this.

use super::StoreError;
use crate::domain::{NotifyLevel, OnlineUser, RoomName, Seq, UserId};
use async_trait::async_trait;

/// A room a person joined: how far they read it and what it notifies them of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub room: RoomName,
    /// The newest seq of the room they have seen.
    pub read: Seq,
    pub notify: NotifyLevel,
}

/// Whether a room is private, as the access checks need to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Privacy {
    /// Anyone may read and write it; `has_messages` says it can no longer become private.
    Public { has_messages: bool },
    /// Only its members may; links signed for `invite_version` let people join.
    /// `access_version` grows whenever someone stops being a member (in the same step).
    Private {
        creator: UserId,
        invite_version: u64,
        access_version: u64,
    },
}

/// The most members of a room the composer is told of (to suggest whom to mention).
pub const MAX_MEMBERS_LISTED: u32 = 200;

/// The most joined rooms a person's sidebar lists (and the browser-wide stream carries).
pub const MAX_JOINED: usize = 50;

/// The memberships of rooms, kept by the store beside their history.
#[async_trait]
pub trait RoomMembers: Send + Sync {
    /// The rooms `user` has joined (at most [`MAX_JOINED`], by name).
    async fn joined_rooms(&self, user: &UserId) -> Result<Vec<Membership>, StoreError>;

    /// `user` has seen `room` up to `seq` (joining it if they had not): the mark never moves
    /// back; the room knows them by their name now. A private room is never joined this
    /// way: the caller's access check may be a moment old, and an empty public room can have
    /// become private since.
    async fn mark_read(
        &self,
        user: &OnlineUser,
        room: &RoomName,
        seq: Seq,
    ) -> Result<(), StoreError>;

    /// Whether `room` is private (and then whose and which invite links are good).
    async fn privacy(&self, room: &RoomName) -> Result<Privacy, StoreError>;

    /// Makes `room` a private room of `creator` (its first member), unless the name is in
    /// use (a message, a member or a private room): `false` then, and nothing changes.
    async fn create_private(
        &self,
        room: &RoomName,
        creator: &OnlineUser,
        at: i64,
    ) -> Result<bool, StoreError>;

    /// `user` joins private `room` with a link signed for `invite_version`, read up to the
    /// room's newest seq: `false` (and nothing changes) when that is not the room's current
    /// invite version.
    async fn join_by_invite(
        &self,
        user: &OnlineUser,
        room: &RoomName,
        invite_version: u64,
    ) -> Result<bool, StoreError>;

    /// A new invite version for private `room` (every older link stops working); `None`
    /// when the room is not private.
    async fn renew_invite(&self, room: &RoomName) -> Result<Option<u64>, StoreError>;

    /// Whether `user` joined `room` (and has not left it).
    async fn is_member(&self, user: &UserId, room: &RoomName) -> Result<bool, StoreError>;

    /// Every room `user` joined knows them by their name now.
    async fn rename_member(&self, user: &OnlineUser) -> Result<(), StoreError>;

    /// What `room` notifies `user` of; `false` (and nothing changed) if they have not joined it.
    async fn set_notify(
        &self,
        user: &UserId,
        room: &RoomName,
        level: NotifyLevel,
    ) -> Result<bool, StoreError>;

    /// The people who joined `room`, by name (at most `limit`), each with the name the
    /// room knows them by.
    async fn members(&self, room: &RoomName, limit: u32) -> Result<Vec<OnlineUser>, StoreError>;

    /// Those of `ids` who joined `room` (in the order of `ids`), with the name the room
    /// knows them by.
    async fn members_among(
        &self,
        room: &RoomName,
        ids: &[UserId],
    ) -> Result<Vec<OnlineUser>, StoreError>;

    /// Up to `limit` of the people whose level for `room` is "every message".
    async fn notified_of_everything(
        &self,
        room: &RoomName,
        limit: u32,
    ) -> Result<Vec<UserId>, StoreError>;

    /// `user` left `room` (or, for a private room, its creator removed them): it leaves
    /// their sidebar, and a private room's `access_version` grows in the same step.
    async fn leave_room(&self, user: &UserId, room: &RoomName) -> Result<(), StoreError>;
}
