//! This tab's part in the browser's feed: its watchers, whether it leads, and what it says
//! to the other tabs. One per tab, for the life of the page.

use super::channel::Channel;
use super::stream::Stream;
use super::{leadership, page_events, Watcher};
use crate::domain::{EventKind, FeedEvent, RoomName, Seq};
use crate::feed::{Mark, TabMessage};
use crate::room::ConnectionState;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

/// How long a new leader waits for the other tabs to say what they want before opening
/// the stream (they answer within milliseconds; a late answer just reopens it).
const COLLECT: Duration = Duration::from_millis(150);

thread_local! {
    static TAB: RefCell<Option<Rc<Tab>>> = const { RefCell::new(None) };
}

pub struct Tab {
    id: String,
    watchers: RefCell<BTreeMap<u64, Rc<Watcher>>>,
    next_watcher: Cell<u64>,
    /// `None`: this tab leads alone (no leader election in this browser).
    channel: Option<Channel>,
    leads: Cell<bool>,
    connection: Cell<ConnectionState>,
    stream: Stream,
}

impl Tab {
    /// This tab's feed, set up on first use.
    pub fn get() -> Rc<Tab> {
        if let Some(tab) = TAB.with_borrow(|tab| tab.clone()) {
            return tab;
        }
        let channel = if leadership::available() {
            Channel::open(|message| Tab::get().heard(message))
        } else {
            None
        };
        let tab = Rc::new(Tab {
            id: format!("{:016x}", (js_sys::Math::random() * 2f64.powi(53)) as u64),
            watchers: RefCell::new(BTreeMap::new()),
            next_watcher: Cell::new(0),
            channel,
            leads: Cell::new(false),
            connection: Cell::new(ConnectionState::Connecting),
            stream: Stream::default(),
        });
        TAB.with_borrow_mut(|slot| *slot = Some(tab.clone()));
        page_events::listen();
        let waits = tab.channel.is_some() && leadership::request(|| Tab::get().lead());
        if !waits {
            tab.lead();
        }
        tab
    }

    pub fn stream(&self) -> &Stream {
        &self.stream
    }

    pub fn watch(&self, watcher: Watcher) -> u64 {
        let id = self.next_watcher.get();
        self.next_watcher.set(id + 1);
        watcher.on_connection.as_ref()(self.connection.get());
        self.watchers.borrow_mut().insert(id, Rc::new(watcher));
        self.announce();
        id
    }

    pub fn unwatch(&self, id: u64) {
        self.watchers.borrow_mut().remove(&id);
        self.announce();
    }

    /// This tab got the lock (or leads alone): it opens the stream for every tab.
    fn lead(&self) {
        self.leads.set(true);
        self.stream.want(&self.id, self.rooms());
        match &self.channel {
            Some(channel) => {
                channel.post(&TabMessage::WhoIsThere);
                self.stream.open_after(COLLECT);
            }
            None => self.stream.open_after(Duration::ZERO),
        }
        self.stream.start_checking();
    }

    /// Every room this tab's watchers want, each from the furthest back any of them needs.
    fn rooms(&self) -> BTreeMap<RoomName, Seq> {
        let mut rooms: BTreeMap<RoomName, Seq> = BTreeMap::new();
        for watcher in self.watchers.borrow().values() {
            for (room, cursor) in watcher.rooms.as_ref()() {
                let entry = rooms.entry(room).or_insert(cursor);
                *entry = (*entry).min(cursor);
            }
        }
        rooms
    }

    /// Says what this tab wants now: to its own stream when it leads, else to the leader.
    fn announce(&self) {
        if self.leads.get() {
            self.stream.want(&self.id, self.rooms());
        } else if let Some(channel) = &self.channel {
            channel.post(&TabMessage::Want {
                tab: self.id.clone(),
                rooms: self.rooms(),
            });
        }
    }

    fn heard(&self, message: TabMessage) {
        match (message, self.leads.get()) {
            (TabMessage::Want { tab, rooms }, true) => {
                self.stream.want(&tab, rooms);
                self.post(&TabMessage::Connection {
                    state: self.connection.get(),
                });
            }
            (TabMessage::Gone { tab }, true) => self.stream.gone(&tab),
            (TabMessage::WhoIsThere, false) => self.announce(),
            (TabMessage::Event { kind, data, .. }, false) => {
                let Some(kind) = EventKind::from_name(&kind) else {
                    return;
                };
                match FeedEvent::decode(kind, &data) {
                    Ok(event) => self.show(&event),
                    Err(error) => leptos::logging::warn!("an unreadable event: {error}"),
                }
            }
            (TabMessage::Connection { state }, false) => self.show_connection(state),
            (TabMessage::Mark { room, mark }, _) => self.apply_mark(&room, mark),
            // What only a leader says, or only a leader is told.
            _ => {}
        }
    }

    /// The person read or left `room` in this tab: every tab hears of it.
    pub fn mark(&self, room: RoomName, mark: Mark) {
        self.apply_mark(&room, mark);
        self.post(&TabMessage::Mark { room, mark });
    }

    fn apply_mark(&self, room: &RoomName, mark: Mark) {
        let before: Vec<RoomName> = self.rooms().into_keys().collect();
        let watchers: Vec<Rc<Watcher>> = self.watchers.borrow().values().cloned().collect();
        for watcher in watchers {
            watcher.on_mark.as_ref()(room, mark);
        }
        // A room joined or left changes what the stream must carry; a read mark alone does
        // not (saying it would only make the leader replay what is still on its way).
        if self.rooms().into_keys().ne(before) {
            self.announce();
        }
    }

    /// The leader's stream delivered `event` (of `kind`, written as `data`).
    pub fn delivered(&self, room: &RoomName, kind: EventKind, data: &str, event: &FeedEvent) {
        self.show(event);
        self.post(&TabMessage::Event {
            room: room.clone(),
            kind: kind.name().to_owned(),
            data: data.to_owned(),
        });
    }

    /// The leader's stream changed state.
    pub fn connection_changed(&self, state: ConnectionState) {
        if self.connection.get() != state {
            self.show_connection(state);
            self.post(&TabMessage::Connection { state });
        }
    }

    fn show(&self, event: &FeedEvent) {
        // A watcher may reload the page or register another: don't hold the borrow.
        let watchers: Vec<Rc<Watcher>> = self.watchers.borrow().values().cloned().collect();
        for watcher in watchers {
            watcher.on_event.as_ref()(event);
        }
    }

    fn show_connection(&self, state: ConnectionState) {
        self.connection.set(state);
        let watchers: Vec<Rc<Watcher>> = self.watchers.borrow().values().cloned().collect();
        for watcher in watchers {
            watcher.on_connection.as_ref()(state);
        }
    }

    fn post(&self, message: &TabMessage) {
        if let Some(channel) = &self.channel {
            channel.post(message);
        }
    }

    /// The browser has no network: the stream can't be up.
    pub fn offline(&self) {
        if self.leads.get() {
            self.stream.offline();
        } else {
            self.show_connection(ConnectionState::Offline);
        }
    }

    /// The network is back.
    pub fn online(&self) {
        if self.leads.get() {
            self.stream.online();
        }
    }

    /// The page is shown again (back from the back/forward cache, or a hidden tab made
    /// visible; `long`: after long enough to have been frozen): the leader checks its
    /// stream; a follower away long says again what it has, and the leader resumes from
    /// there if it missed something while frozen (after a quick switch, its cursors would
    /// only lag behind events still on their way, and cost a needless replay).
    pub fn woke(&self, long: bool) {
        if self.leads.get() {
            self.stream.check_now();
        } else if long {
            self.announce();
        }
    }

    /// The page is going away.
    pub fn leaving(&self) {
        if !self.leads.get() {
            self.post(&TabMessage::Gone {
                tab: self.id.clone(),
            });
        }
    }
}
