//! The creator replaces a private room's invite link: the old one stops working.

use crate::api::{renew_invite, PrivateRoom};
use crate::room::RoomState;
use leptos::prelude::*;
use leptos::task::spawn_local;

pub fn renew(state: RoomState) {
    spawn_local(async move {
        match renew_invite(state.room()).await {
            Ok(created) => state.private.set(Some(PrivateRoom {
                invite: created.invite,
            })),
            Err(error) => leptos::logging::warn!("could not make a new invite link: {error}"),
        }
    });
}
