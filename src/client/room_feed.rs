//! The room's live feed: one `EventSource` per open room page.
//!
//! The browser reconnects a dropped stream by itself and sends `Last-Event-ID`, so the server
//! replays exactly what was missed. When the browser gives up instead (the server answered
//! with an error, e.g. while restarting behind a proxy), this module opens a new
//! `EventSource` after a growing delay, passing the newest seq shown as `?after=`. Either
//! way every message reaches the `Timeline`, which shows each seq once and in order.

use crate::app::{ConnectionState, Timeline};
use crate::domain::ChatMessage;
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

/// Follows `room` from the newest message the page shows, until the page goes away.
pub fn follow(room: String, timeline: Timeline, state: WriteSignal<ConnectionState>) {
    let feed = Rc::new(Feed {
        room,
        timeline,
        state,
        source: RefCell::new(None),
        listeners: RefCell::new(Vec::new()),
        retry: Cell::new(FIRST_RETRY),
        retry_timer: Cell::new(None),
        closed: Cell::new(false),
    });
    Feed::connect(&feed);
    let feed = SendWrapper::new(feed);
    on_cleanup(move || feed.close());
}

type Listener = Closure<dyn FnMut(Event)>;

struct Feed {
    room: String,
    timeline: Timeline,
    state: WriteSignal<ConnectionState>,
    source: RefCell<Option<EventSource>>,
    /// Kept alive as long as the source they listen to.
    listeners: RefCell<Vec<Listener>>,
    retry: Cell<Duration>,
    retry_timer: Cell<Option<TimeoutHandle>>,
    closed: Cell<bool>,
}

impl Feed {
    fn connect(feed: &Rc<Feed>) {
        if feed.closed.get() {
            return;
        }
        let url = format!(
            "/api/rooms/{}/events?after={}",
            feed.room,
            feed.timeline.last_seq()
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
        let listeners = vec![
            listen(&source, "open", &weak, |feed, _| {
                feed.retry.set(FIRST_RETRY);
                feed.state.set(ConnectionState::Live);
            }),
            listen(&source, "message", &weak, |feed, event| {
                feed.receive(event);
            }),
            listen(&source, "error", &weak, |feed, _| {
                feed.state.set(ConnectionState::Reconnecting);
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
        feed.replace_source(Some(source), listeners);
    }

    fn receive(&self, event: Event) {
        let Some(data) = event
            .dyn_ref::<MessageEvent>()
            .and_then(|event| event.data().as_string())
        else {
            return;
        };
        match serde_json::from_str::<ChatMessage>(&data) {
            Ok(message) => self.timeline.insert(message),
            Err(error) => leptos::logging::warn!("ignoring an unreadable event: {error}"),
        }
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
