//! The room's live feed: one `EventSource` per open room page.
//!
//! The browser reconnects a dropped stream by itself and sends `Last-Event-ID`, so the server
//! replays exactly what was missed. When the browser gives up instead (the server answered
//! with an error), or reports that the network is gone and back, this module opens a new
//! `EventSource` itself, passing the newest event applied as `?after=`. Either way every
//! event reaches the `Timeline`, which shows each message once and in order.

use super::now_ms;
use crate::domain::{EventKind, FeedEvent};
use crate::room::{ConnectionState, RoomState};
use leptos::prelude::*;
use leptos::wasm_bindgen::closure::Closure;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{Event, EventSource, MessageEvent};
use send_wrapper::SendWrapper;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::time::Duration;

const FIRST_RETRY: Duration = Duration::from_millis(500);
const MAX_RETRY: Duration = Duration::from_secs(30);
/// How often expired "is typing" signals are cleared.
const TYPING_SWEEP: Duration = Duration::from_secs(1);

/// Follows the room from the page's cursor until the page goes away.
pub fn follow(state: RoomState) {
    let feed = Rc::new(Feed {
        state,
        source: RefCell::new(None),
        listeners: RefCell::new(Vec::new()),
        window_listeners: RefCell::new(Vec::new()),
        retry: Cell::new(FIRST_RETRY),
        retry_timer: Cell::new(None),
        sweeper: Cell::new(None),
        closed: Cell::new(false),
    });
    Feed::watch_network(&feed);
    Feed::connect(&feed);
    if let Ok(sweeper) =
        set_interval_with_handle(move || state.expire_typing(now_ms()), TYPING_SWEEP)
    {
        feed.sweeper.set(Some(sweeper));
    }
    let feed = SendWrapper::new(feed);
    on_cleanup(move || feed.close());
}

type Listener = Closure<dyn FnMut(Event)>;

struct Feed {
    state: RoomState,
    source: RefCell<Option<EventSource>>,
    /// Kept alive as long as the source they listen to.
    listeners: RefCell<Vec<Listener>>,
    window_listeners: RefCell<Vec<(&'static str, Listener)>>,
    retry: Cell<Duration>,
    retry_timer: Cell<Option<TimeoutHandle>>,
    sweeper: Cell<Option<IntervalHandle>>,
    closed: Cell<bool>,
}

impl Feed {
    fn connect(feed: &Rc<Feed>) {
        if feed.closed.get() {
            return;
        }
        let url = format!(
            "/api/rooms/{}/events?after={}",
            feed.state.room(),
            feed.state.timeline.cursor()
        );
        let source = match EventSource::new(&url) {
            Ok(source) => source,
            Err(error) => {
                leptos::logging::warn!("could not open the live feed: {error:?}");
                Feed::retry_later(feed);
                return;
            }
        };
        let weak = Rc::downgrade(feed);
        let events = EventKind::ALL.map(|kind| {
            listen(&source, kind.name(), &weak, move |feed, event| {
                feed.receive(kind, &event);
            })
        });
        let mut listeners = vec![
            listen(&source, "open", &weak, |feed, _| {
                feed.retry.set(FIRST_RETRY);
                feed.state.connection.set(ConnectionState::Live);
            }),
            listen(&source, "error", &weak, |feed, _| {
                if feed.state.connection.get_untracked() != ConnectionState::Offline {
                    feed.state.connection.set(ConnectionState::Reconnecting);
                }
                let gave_up = feed
                    .source
                    .borrow()
                    .as_ref()
                    .is_some_and(|s| s.ready_state() == EventSource::CLOSED);
                if gave_up {
                    Feed::retry_later(&feed);
                }
            }),
        ];
        listeners.extend(events);
        feed.replace_source(Some(source), listeners);
    }

    /// One event of the feed: decoded (`FeedEvent::decode`) and applied to the page's model.
    fn receive(&self, kind: EventKind, event: &Event) {
        let Some(data) = event
            .dyn_ref::<MessageEvent>()
            .and_then(|event| event.data().as_string())
        else {
            return;
        };
        match FeedEvent::decode(kind, &data) {
            Ok(event) => {
                if !self.state.apply_feed(event, now_ms()) {
                    // A reset: the server lost the history this page shows; show what it has now.
                    if let Err(error) = window().location().reload() {
                        leptos::logging::warn!("could not reload after a reset: {error:?}");
                    }
                }
            }
            Err(error) => {
                leptos::logging::warn!("ignoring an unreadable {} event: {error}", kind.name())
            }
        }
    }

    /// Offline: close the stream at once and say so. Online again: reconnect right away.
    fn watch_network(feed: &Rc<Feed>) {
        let weak = Rc::downgrade(feed);
        let on_offline = window_listener(&weak, |feed| {
            feed.replace_source(None, Vec::new());
            feed.state.connection.set(ConnectionState::Offline);
        });
        let on_online = window_listener(&weak, |feed| {
            feed.state.connection.set(ConnectionState::Reconnecting);
            feed.retry.set(FIRST_RETRY);
            Feed::connect(&feed);
        });
        let window = window();
        for (name, listener) in [("offline", &on_offline), ("online", &on_online)] {
            let _ =
                window.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
        }
        *feed.window_listeners.borrow_mut() = vec![("offline", on_offline), ("online", on_online)];
    }

    /// Opens a new source after the current delay, doubling it for next time.
    fn retry_later(feed: &Rc<Feed>) {
        feed.replace_source(None, Vec::new());
        let delay = feed.retry.get();
        feed.retry.set((delay * 2).min(MAX_RETRY));
        let weak = Rc::downgrade(feed);
        let reconnect = SendWrapper::new(move || {
            if let Some(feed) = weak.upgrade() {
                Feed::connect(&feed);
            }
        });
        match set_timeout_with_handle(move || (reconnect.take())(), delay) {
            Ok(handle) => feed.retry_timer.set(Some(handle)),
            Err(error) => leptos::logging::warn!("could not schedule a reconnect: {error:?}"),
        }
    }

    fn replace_source(&self, source: Option<EventSource>, listeners: Vec<Listener>) {
        if let Some(old) = self.source.replace(source) {
            old.close();
        }
        *self.listeners.borrow_mut() = listeners;
    }

    fn close(&self) {
        self.closed.set(true);
        if let Some(timer) = self.retry_timer.take() {
            timer.clear();
        }
        if let Some(sweeper) = self.sweeper.take() {
            sweeper.clear();
        }
        let window = window();
        for (name, listener) in self.window_listeners.borrow_mut().drain(..) {
            let _ =
                window.remove_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
        }
        self.replace_source(None, Vec::new());
    }
}

/// Adds a listener that calls `handle` with the feed, for as long as the feed exists.
fn listen(
    source: &EventSource,
    event: &str,
    feed: &Weak<Feed>,
    handle: impl Fn(Rc<Feed>, Event) + 'static,
) -> Listener {
    let feed = feed.clone();
    let listener = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
        if let Some(feed) = feed.upgrade() {
            handle(feed, event);
        }
    });
    if let Err(error) =
        source.add_event_listener_with_callback(event, listener.as_ref().unchecked_ref())
    {
        leptos::logging::warn!("could not listen for {event}: {error:?}");
    }
    listener
}

fn window_listener(feed: &Weak<Feed>, handle: impl Fn(Rc<Feed>) + 'static) -> Listener {
    let feed = feed.clone();
    Closure::<dyn FnMut(Event)>::new(move |_: Event| {
        if let Some(feed) = feed.upgrade() {
            handle(feed);
        }
    })
}
