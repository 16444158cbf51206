//! The sidebar, live: every joined room rides on the browser's one stream, so a message in
//! a room no tab shows raises its unread count; what the person reads in a visible tab is
//! marked read on the server (at most every second) and in every other tab, and what the
//! person reads on another device clears here too (the server's `read` event).

use super::feed::{self, Watcher};
use super::notifications;
use crate::api::{leave_room, mark_read};
use crate::domain::{FeedEvent, LogEvent, NotifyLevel, RoomName, Seq};
use crate::feed::Mark;
use crate::room::{Arrival, RoomState};
use leptos::prelude::*;
use leptos::task::spawn_local;
use send_wrapper::SendWrapper;
use std::time::Duration;

/// The server hears of reading at most this often.
const MARK_EVERY: Duration = Duration::from_secs(1);

/// Follows the joined rooms of the page's sidebar, and marks the page's room read as it is seen.
pub fn follow(state: RoomState) {
    let Ok(current) = RoomName::parse(&state.room()) else {
        return;
    };
    let here = current.clone();
    feed::watch(Watcher {
        rooms: Box::new(move || state.joined.wants()),
        on_event: Box::new(move |event| match event {
            FeedEvent::Log(LogEvent::Message(message)) => {
                let hidden = document().hidden();
                let me = state.viewer.with_untracked(|viewer| viewer.id.clone());
                let arrival = Arrival {
                    from_me: message.author_id == me,
                    seen_now: message.room == here && !hidden,
                    mentions_me: message.mentions_person(&me),
                };
                let counted = state.joined.message(&message.room, message.seq, arrival);
                if counted.is_some_and(|level| level.notifies(arrival.mentions_me)) {
                    notifications::show(message, arrival.mentions_me);
                }
            }
            FeedEvent::Log(other) => state.joined.passed(other.room(), other.seq()),
            // Read on another device of the person's.
            FeedEvent::Read(mark) => state.joined.read(&mark.room, mark.seq),
            _ => {}
        }),
        on_connection: Box::new(|_| {}),
        on_mark: Box::new(move |room, mark| match mark {
            Mark::Read(seq) => state.joined.read(room, seq),
            Mark::Left => state.joined.leave(room),
        }),
    });
    // Opening the room joined it and read it (the server did): the other tabs list it.
    feed::mark(current.clone(), Mark::Read(state.timeline.cursor()));
    mark_while_seen(state, current);
}

/// The person chose what `room` notifies them of: here, and on the server.
pub fn set_notify(state: RoomState, room: RoomName, level: NotifyLevel) {
    state.joined.set_notify(&room, level);
    spawn_local(async move {
        if let Err(error) = crate::api::set_notify(room.to_string(), level.as_str().into()).await {
            leptos::logging::warn!("could not change what {room} notifies: {error}");
        }
    });
}

/// The person leaves `room`: off the sidebar here, in every tab, and on the server.
pub fn leave(room: RoomName) {
    feed::mark(room.clone(), Mark::Left);
    spawn_local(async move {
        if let Err(error) = leave_room(room.to_string()).await {
            leptos::logging::warn!("could not leave {room}: {error}");
        }
    });
}

/// While the tab is visible, what arrives in its room is read.
fn mark_while_seen(state: RoomState, room: RoomName) {
    let marked = StoredValue::new(state.timeline.cursor());
    let waiting = StoredValue::new(false);
    let check = SendWrapper::new(std::rc::Rc::new(move || {
        let cursor = state.timeline.cursor();
        if document().hidden() || cursor <= marked.get_value() || waiting.get_value() {
            return;
        }
        waiting.set_value(true);
        let room = room.clone();
        set_timeout(
            move || {
                waiting.set_value(false);
                let seq: Seq = state.timeline.cursor();
                marked.set_value(seq);
                feed::mark(room.clone(), Mark::Read(seq));
                spawn_local(async move {
                    if let Err(error) = mark_read(room.to_string(), seq).await {
                        leptos::logging::warn!("could not mark {room} read: {error}");
                    }
                });
            },
            MARK_EVERY,
        );
    }));
    let on_message = check.clone();
    Effect::new(move |_| {
        state.timeline.newest();
        on_message();
    });
    super::on_document_event("visibilitychange", move || {
        check();
    });
}
