//! The room page's model: what the page knows (timeline, outbox, who is online, the feed's
//! state) and how each event changes it. Shared by the components (`app`) and the browser
//! behaviours (`client`); it renders nothing and touches no DOM, so its rules are unit-tested
//! on the server's side of the build.

mod attaching;
mod connection;
mod joined;
mod mentions;
mod outbox;
mod pins;
mod timeline;

pub use attaching::{attachment_ids, Attaching, Attachments, NotReady};
pub use connection::ConnectionState;
pub use joined::{Arrival, JoinedRooms};
pub use mentions::{meant, suggestions, typed_at_caret, Picking, Suggestion, Typed};
pub use outbox::{Outbox, Pending, Refused, Status};
pub use pins::Pins;
pub use timeline::{Shown, Timeline};

use crate::api::{PrivateRoom, RoomSnapshot};
use crate::domain::{
    FeedEvent, LogEvent, OnlineUser, Presence, PresenceChange, Quote, RoomName, Seq, Typing, UserId,
};
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
    /// Who is online: the stream's last snapshot with every change since applied.
    pub presence: RwSignal<Presence>,
    pub typing: RwSignal<Vec<TypingNow>>,
    pub connection: RwSignal<ConnectionState>,
    /// Messages that arrived while the tab was hidden (shown in the title).
    pub unread: RwSignal<usize>,
    /// Messages that arrived below the visible part of the list.
    pub below: RwSignal<usize>,
    pub outbox: Outbox,
    pub client_id: RwSignal<String>,
    /// The message a permalink opened the page at (highlighted once shown).
    pub focus: StoredValue<Option<Seq>>,
    /// The message the composer's next message answers, as the composer shows it.
    pub replying: RwSignal<Option<(Seq, Quote)>>,
    /// The rooms of the sidebar.
    pub joined: JoinedRooms,
    /// Who joined the room (with the page), for the composer's `@` suggestions.
    pub members: StoredValue<Vec<OnlineUser>>,
    /// The people the composer's text mentions, as picked from its suggestions.
    pub picked: RwSignal<Vec<OnlineUser>>,
    /// Set for a private room (with the invite link for its creator).
    pub private: RwSignal<Option<PrivateRoom>>,
    /// The viewer may delete anyone's message here (an administrator, the room's creator).
    pub moderates: bool,
    /// Read-only but for who moderates it.
    pub locked: bool,
    /// The viewer administers the chat: others' messages offer to ban their author.
    pub admin: bool,
    /// The messages pinned to the room's header.
    pub pins: Pins,
    /// The files the composer holds for the next message.
    pub attaching: Attachments,
}

impl RoomState {
    pub fn new(snapshot: RoomSnapshot) -> Self {
        // The page's room name was parsed by the server; the stream's snapshot replaces this.
        let room = RoomName::parse(&snapshot.room).unwrap_or_else(|_| RoomName::lobby());
        let timeline = Timeline::new(snapshot.messages, snapshot.cursor, snapshot.has_older);
        if snapshot.has_newer {
            timeline.ends_before_newest();
        }
        Self {
            room: StoredValue::new(snapshot.room),
            viewer: RwSignal::new(snapshot.viewer),
            timeline,
            presence: RwSignal::new(Presence {
                count: snapshot.online_count,
                online: snapshot.online,
                ..Presence::empty(room)
            }),
            typing: RwSignal::new(Vec::new()),
            connection: RwSignal::new(ConnectionState::Connecting),
            unread: RwSignal::new(0),
            below: RwSignal::new(0),
            outbox: Outbox::default(),
            client_id: RwSignal::new(snapshot.client_id),
            focus: StoredValue::new(snapshot.focus),
            replying: RwSignal::new(None),
            joined: JoinedRooms::new(snapshot.joined),
            members: StoredValue::new(snapshot.members),
            picked: RwSignal::new(Vec::new()),
            private: RwSignal::new(snapshot.private),
            moderates: snapshot.moderates,
            locked: snapshot.locked,
            admin: snapshot.admin,
            pins: Pins::new(snapshot.pins),
            attaching: Attachments::holding(snapshot.attaching),
        }
    }

    /// Everyone the page knows in the room (online or member), each once.
    pub fn known_people(self) -> Vec<OnlineUser> {
        let mut known = self.presence.with_untracked(|p| p.online.clone());
        self.members.with_value(|members| {
            for member in members {
                if !known.iter().any(|k| k.id == member.id) {
                    known.push(member.clone());
                }
            }
        });
        known
    }

    pub fn room(self) -> String {
        self.room.get_value()
    }

    pub fn is_me(self, user: &UserId) -> bool {
        self.viewer.with_untracked(|viewer| &viewer.id == user)
    }

    /// An event from the live feed, as of `now` (ms on the browser's clock). A `reset` asks
    /// for the page to be loaded again, which only the browser side can do: it answers
    /// `false` then, and `true` when the event is applied.
    pub fn apply_feed(self, event: FeedEvent, now: f64) -> bool {
        match event {
            FeedEvent::Log(event) => self.apply(event),
            FeedEvent::Presence(presence) => self.apply_presence(presence),
            FeedEvent::PresenceChange(change) => self.apply_presence_change(&change),
            FeedEvent::Typing(typing) => self.apply_typing(typing, now),
            FeedEvent::Reset(_) => return false,
            // The browser-wide stream's; a room's own stream has none.
            FeedEvent::Heartbeat(_) => {}
            // The sidebar's (its unread counts): what the page shows does not change.
            FeedEvent::Read(_) => {}
        }
        true
    }

    /// A log event from the live feed: someone who sent a message has stopped typing.
    pub fn apply(self, event: LogEvent) {
        if let LogEvent::Message(message) = &event {
            let author = message.author_id.clone();
            self.typing
                .update(|typing| typing.retain(|t| t.user.id != author));
        }
        let viewer = self.viewer.with_untracked(|viewer| viewer.id.clone());
        self.pins.apply(&event, &viewer);
        self.timeline.apply(event, &viewer);
    }

    /// A snapshot of who is online: it replaces what the page held.
    pub fn apply_presence(self, presence: Presence) {
        self.notice_my_name(&presence.online);
        self.presence.set(presence);
    }

    /// A change since the last snapshot (one the page already has is ignored).
    pub fn apply_presence_change(self, change: &PresenceChange) {
        self.notice_my_name(&change.listed);
        self.presence.update(|presence| {
            presence.apply(change);
        });
    }

    /// The viewer's own name as the room shows it (a rename in another tab).
    fn notice_my_name(self, people: &[OnlineUser]) {
        if let Some(me) = people.iter().find(|user| self.is_me(&user.id)).cloned() {
            self.viewer.set(me);
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ChatMessage, RoomName};

    fn state(viewer: OnlineUser) -> RoomState {
        RoomState::new(RoomSnapshot {
            room: "lobby".into(),
            messages: Vec::new(),
            has_older: false,
            focus: None,
            has_newer: false,
            cursor: crate::domain::Seq::ZERO,
            viewer,
            online: Vec::new(),
            online_count: 0,
            client_id: "k".into(),
            joined: Vec::new(),
            members: Vec::new(),
            private: None,
            moderates: false,
            locked: false,
            admin: false,
            pins: Vec::new(),
            attaching: Vec::new(),
        })
    }

    fn typing(user: &OnlineUser) -> Typing {
        Typing {
            room: RoomName::lobby(),
            user: user.clone(),
        }
    }

    #[test]
    fn someone_typing_shows_until_they_send_or_it_expires_and_never_oneself() {
        Owner::new().with(|| {
            let me = OnlineUser::sample(1, "me");
            let ann = OnlineUser::sample(2, "ann");
            let state = state(me.clone());
            state.apply_typing(typing(&me), 0.0);
            assert!(state.typing.get_untracked().is_empty(), "never oneself");

            state.apply_typing(typing(&ann), 0.0);
            state.apply_typing(typing(&ann), 1_000.0);
            assert_eq!(state.typing.get_untracked().len(), 1, "once per person");
            assert_eq!(
                state.typing.get_untracked()[0].until,
                1_000.0 + TYPING_SHOWN_MS
            );

            let mut message = ChatMessage::sample(1);
            message.author_id = ann.id.clone();
            state.apply(LogEvent::Message(message));
            assert!(
                state.typing.get_untracked().is_empty(),
                "sending ends typing"
            );
            assert_eq!(state.timeline.shown().len(), 1);
        });
    }

    #[test]
    fn feed_events_change_the_model_and_a_reset_is_left_to_the_browser() {
        Owner::new().with(|| {
            let me = OnlineUser::sample(1, "me");
            let state = state(me.clone());
            let renamed = OnlineUser {
                name: "Me, renamed".into(),
                ..me
            };
            let presence = Presence {
                count: 1,
                online: vec![renamed.clone()],
                version: 7,
                ..Presence::empty(RoomName::lobby())
            };
            assert!(state.apply_feed(FeedEvent::Presence(presence), 0.0));
            assert_eq!(state.presence.get_untracked().count, 1);
            assert_eq!(state.viewer.get_untracked(), renamed, "my own new name");
            let bob = OnlineUser::sample(2, "Bob");
            let change = PresenceChange {
                room: RoomName::lobby(),
                version: 8,
                count: 2,
                listed: vec![bob.clone()],
                unlisted: Vec::new(),
            };
            assert!(state.apply_feed(FeedEvent::PresenceChange(change.clone()), 0.0));
            assert!(state.apply_feed(FeedEvent::PresenceChange(change), 0.0));
            assert_eq!(
                state.presence.get_untracked().online,
                [bob, renamed],
                "Bob joined once, in name order"
            );
            let reset = crate::domain::Reset {
                room: RoomName::lobby(),
            };
            assert!(!state.apply_feed(FeedEvent::Reset(reset), 0.0));
        });
    }
}
