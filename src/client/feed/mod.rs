//! The live feed of the whole browser: one connection, however many tabs and rooms.
//!
//! Each tab registers what it shows (a [`Watcher`]: its rooms, with how far it has each).
//! One tab of the browser is the leader (it holds a Web Lock): it alone opens the stream
//! (`GET /api/events?rooms=…`) for every room any tab wants, passes each event to the other
//! tabs over a `BroadcastChannel`, reconnects with each room's cursor, and notices a stream
//! that died without a word. When the leader goes away the browser gives the lock to another
//! tab, which asks every tab how far it has each room and opens the stream from there: no
//! event missed, and what a tab already has is dropped by seq. Without Web Locks or
//! `BroadcastChannel`, a tab leads alone, with its own stream. The rules (which rooms, which
//! cursors, when a stream is dead, how long to wait) are in `crate::feed`.

mod channel;
mod leadership;
mod page_events;
mod stream;
mod tab;

use super::now_ms;
use crate::domain::{FeedEvent, RoomName, Seq};
use crate::feed::Mark;
use crate::room::{ConnectionState, RoomState};
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use std::collections::BTreeMap;
use std::time::Duration;

/// How often expired "is typing" signals are cleared.
const TYPING_SWEEP: Duration = Duration::from_secs(1);

/// Something in this tab that shows rooms of the feed.
pub struct Watcher {
    /// The rooms it wants, with how far it has each.
    pub rooms: Box<dyn Fn() -> BTreeMap<RoomName, Seq>>,
    /// One event of one of the stream's rooms (any room: it picks its own).
    pub on_event: Box<dyn Fn(&FeedEvent)>,
    /// The state of the browser's stream.
    pub on_connection: Box<dyn Fn(ConnectionState)>,
    /// The person read or left a joined room, in this tab or another.
    pub on_mark: OnMark,
}

pub type OnMark = Box<dyn Fn(&RoomName, Mark)>;

/// Tells every tab (this one too) that the person read or left `room`; the rooms the
/// browser's stream carries follow.
pub fn mark(room: RoomName, mark: Mark) {
    tab::Tab::get().mark(room, mark);
}

/// Registers `watcher` with this tab's feed until the current reactive owner is cleaned up.
pub fn watch(watcher: Watcher) {
    let id = tab::Tab::get().watch(watcher);
    on_cleanup(move || tab::Tab::get().unwatch(id));
}

/// Follows the room page's room from its cursor until the page goes away.
pub fn follow(state: RoomState) {
    let Ok(room) = RoomName::parse(&state.room()) else {
        return;
    };
    let own = room.clone();
    watch(Watcher {
        rooms: Box::new(move || [(own.clone(), state.timeline.cursor())].into()),
        on_event: Box::new(move |event| {
            if event.room() != Some(&room) {
                return;
            }
            if !state.apply_feed(event.clone(), now_ms()) {
                // A reset: the server lost the history this page shows; show what it has now.
                if let Err(error) = window().location().reload() {
                    leptos::logging::warn!("could not reload after a reset: {error:?}");
                }
            }
        }),
        on_connection: Box::new(move |connection| state.connection.set(connection)),
        on_mark: Box::new(|_, _| {}),
    });
    if let Ok(sweeper) =
        set_interval_with_handle(move || state.expire_typing(now_ms()), TYPING_SWEEP)
    {
        let sweeper = SendWrapper::new(sweeper);
        on_cleanup(move || sweeper.clear());
    }
}
