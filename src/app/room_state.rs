use super::{ConnectionState, Outbox, Timeline};
use crate::api::RoomSnapshot;
use crate::domain::{LogEvent, OnlineUser, Presence, Typing, UserId};
use leptos::prelude::*;

/// How long "… is typing" stays after the last signal from that person.
pub const TYPING_SHOWN_MS: f64 = 4_000.0;

/// Someone typing, until a time on the browser's clock (ms since the epoch).
#[derive(Debug, Clone, PartialEq)]
pub struct TypingNow {
    pub user: OnlineUser,
    pub until: f64,
}

/// Everything a room page knows, shared by its components through context.
#[derive(Debug, Clone, Copy)]
pub struct RoomState {
    pub room: StoredValue<String>,
    pub viewer: RwSignal<OnlineUser>,
    pub timeline: Timeline,
    pub online: RwSignal<Vec<OnlineUser>>,
    pub online_count: RwSignal<usize>,
    pub typing: RwSignal<Vec<TypingNow>>,
    pub connection: RwSignal<ConnectionState>,
    /// Messages that arrived while the tab was hidden (shown in the title).
    pub unread: RwSignal<usize>,
    /// Messages that arrived below the visible part of the list.
    pub below: RwSignal<usize>,
    pub outbox: Outbox,
    pub client_id: RwSignal<String>,
}

impl RoomState {
    pub fn new(snapshot: RoomSnapshot) -> Self {
        Self {
            room: StoredValue::new(snapshot.room),
            viewer: RwSignal::new(snapshot.viewer),
            timeline: Timeline::new(snapshot.messages, snapshot.cursor, snapshot.has_older),
            online: RwSignal::new(snapshot.online),
            online_count: RwSignal::new(snapshot.online_count),
            typing: RwSignal::new(Vec::new()),
            connection: RwSignal::new(ConnectionState::Connecting),
            unread: RwSignal::new(0),
            below: RwSignal::new(0),
            outbox: Outbox::default(),
            client_id: RwSignal::new(snapshot.client_id),
        }
    }

    pub fn room(self) -> String {
        self.room.get_value()
    }

    pub fn is_me(self, user: &UserId) -> bool {
        self.viewer.with_untracked(|viewer| &viewer.id == user)
    }

    /// A log event from the live feed: someone who sent a message has stopped typing.
    pub fn apply(self, event: LogEvent) {
        if let LogEvent::Message(message) = &event {
            let author = message.author_id.clone();
            self.typing
                .update(|typing| typing.retain(|t| t.user.id != author));
        }
        self.timeline.apply(event);
    }

    pub fn apply_presence(self, presence: Presence) {
        if let Some(me) = presence
            .online
            .iter()
            .find(|user| self.is_me(&user.id))
            .cloned()
        {
            self.viewer.set(me);
        }
        self.online.set(presence.online);
        self.online_count.set(presence.count);
    }

    /// Someone else is typing, as of `now` (ms on the browser's clock).
    pub fn apply_typing(self, typing: Typing, now: f64) {
        if self.is_me(&typing.user.id) {
            return;
        }
        self.typing.update(|list| {
            list.retain(|t| t.user.id != typing.user.id && t.until > now);
            list.push(TypingNow {
                user: typing.user,
                until: now + TYPING_SHOWN_MS,
            });
        });
    }

    /// Forgets typing signals that have expired by `now`.
    pub fn expire_typing(self, now: f64) {
        let stale = self
            .typing
            .with_untracked(|list| list.iter().any(|t| t.until <= now));
        if stale {
            self.typing.update(|list| list.retain(|t| t.until > now));
        }
    }
}
