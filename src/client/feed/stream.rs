//! The leader's one `EventSource` to `GET /api/events?rooms=…`.
//!
//! It never lets the browser reconnect on its own (the URL's cursors would be stale): on any
//! error it closes the source and opens a new one with the cursors it holds, after a
//! full-jitter delay. A stream silent for 2.5 heartbeats, or whose heartbeat shows a room
//! it has not delivered, is opened again the same way.

use super::now_ms;
use super::tab::Tab;
use crate::domain::{EventKind, FeedEvent, RoomName, Seq};
use crate::feed::{Backoff, Liveness, StreamPlan};
use crate::room::ConnectionState;
use leptos::prelude::*;
use leptos::wasm_bindgen::closure::Closure;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{Event, EventSource, MessageEvent};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::time::Duration;

/// Changes of the rooms wanted within this long are one reopening.
const GATHER: Duration = Duration::from_millis(50);
/// How often an open stream is checked for silence.
const CHECK_EVERY: Duration = Duration::from_secs(1);

type Listener = Closure<dyn FnMut(Event)>;

#[derive(Default)]
pub struct Stream {
    plan: RefCell<StreamPlan>,
    liveness: RefCell<Liveness>,
    backoff: RefCell<Backoff>,
    /// The open source, with the listeners that must live as long as it.
    source: RefCell<Option<(EventSource, Vec<Listener>)>>,
    /// A (re)opening waiting to happen.
    pending: Cell<Option<TimeoutHandle>>,
    checker: Cell<Option<IntervalHandle>>,
    offline: Cell<bool>,
}

impl Stream {
    /// `tab` wants `rooms`: reopen soon if that changes what the stream must carry.
    pub fn want(&self, tab: &str, rooms: BTreeMap<RoomName, Seq>) {
        if self.plan.borrow_mut().want(tab, rooms) {
            self.open_after(GATHER);
        }
    }

    pub fn gone(&self, tab: &str) {
        if self.plan.borrow_mut().gone(tab) {
            self.open_after(GATHER);
        }
    }

    /// Opens the stream (again) after `delay`, unless an opening is already on its way.
    pub fn open_after(&self, delay: Duration) {
        if self.offline.get() {
            return;
        }
        if self.pending.get().is_some() {
            return;
        }
        match set_timeout_with_handle(|| Tab::get().stream().open(), delay) {
            Ok(handle) => self.pending.set(Some(handle)),
            Err(error) => leptos::logging::warn!("could not schedule the stream: {error:?}"),
        }
    }

    /// Forgets an opening that was waiting (a new one is about to be scheduled, or none).
    fn cancel_pending(&self) {
        if let Some(pending) = self.pending.take() {
            pending.clear();
        }
    }

    /// Checks the open stream for silence every second, for as long as the page lives.
    pub fn start_checking(&self) {
        match set_interval_with_handle(|| Tab::get().stream().check(), CHECK_EVERY) {
            Ok(handle) => self.checker.set(Some(handle)),
            Err(error) => leptos::logging::warn!("could not watch the stream: {error:?}"),
        }
    }

    fn open(&self) {
        self.pending.take();
        self.close();
        let Some(rooms) = self.plan.borrow().query() else {
            return;
        };
        let source = match EventSource::new(&format!("/api/events?rooms={rooms}")) {
            Ok(source) => source,
            Err(error) => {
                leptos::logging::warn!("could not open the live feed: {error:?}");
                return self.failed();
            }
        };
        let mut listeners = vec![
            listen(&source, "open", |_| Tab::get().stream().opened()),
            listen(&source, "error", |_| Tab::get().stream().failed()),
        ];
        listeners.extend(EventKind::ALL.map(|kind| {
            listen(&source, kind.name(), move |event| {
                Tab::get().stream().received(kind, &event)
            })
        }));
        self.liveness.borrow_mut().opened(now_ms());
        *self.source.borrow_mut() = Some((source, listeners));
    }

    fn close(&self) {
        if let Some((source, _listeners)) = self.source.borrow_mut().take() {
            source.close();
        }
        self.liveness.borrow_mut().closed();
    }

    fn opened(&self) {
        self.backoff.borrow_mut().succeeded();
        Tab::get().connection_changed(ConnectionState::Live);
    }

    /// The stream failed or died: open it again after a full-jitter delay.
    fn failed(&self) {
        self.close();
        if self.offline.get() {
            return;
        }
        // A page opened with no network (from the service worker's copy) hears no `offline`
        // event: it says so now, and waits for `online` instead of retrying in vain.
        if !window().navigator().on_line() {
            return self.offline();
        }
        Tab::get().connection_changed(ConnectionState::Reconnecting);
        let delay = self.backoff.borrow_mut().next_delay(js_sys::Math::random());
        self.cancel_pending();
        self.open_after(delay);
    }

    fn received(&self, kind: EventKind, event: &Event) {
        self.liveness.borrow_mut().heard(now_ms());
        let Some(data) = event
            .dyn_ref::<MessageEvent>()
            .and_then(|event| event.data().as_string())
        else {
            return;
        };
        let event = match FeedEvent::decode(kind, &data) {
            Ok(event) => event,
            Err(error) => {
                return leptos::logging::warn!(
                    "ignoring an unreadable {} event: {error}",
                    kind.name()
                )
            }
        };
        if let FeedEvent::Heartbeat(beat) = &event {
            let missed = self.liveness.borrow_mut().beat(beat, &self.plan.borrow());
            if missed {
                leptos::logging::warn!("the live feed missed an event: resuming");
                self.open();
            }
            return;
        }
        let Some(room) = event.room().cloned() else {
            return;
        };
        if let FeedEvent::Log(log) = &event {
            self.plan.borrow_mut().delivered(&room, log.seq());
        }
        Tab::get().delivered(&room, kind, &data, &event);
    }

    fn check(&self) {
        let dead = self.liveness.borrow().is_dead(now_ms());
        if dead {
            leptos::logging::warn!("the live feed went silent: reconnecting");
            self.failed();
        }
    }

    /// The page is shown again: a dead or closed stream is opened at once.
    pub fn check_now(&self) {
        let open = self
            .source
            .borrow()
            .as_ref()
            .is_some_and(|(source, _)| source.ready_state() != EventSource::CLOSED);
        if !open || self.liveness.borrow().is_dead(now_ms()) {
            self.cancel_pending();
            self.backoff.borrow_mut().succeeded();
            self.open_after(Duration::ZERO);
        }
    }

    pub fn offline(&self) {
        self.offline.set(true);
        self.cancel_pending();
        self.close();
        Tab::get().connection_changed(ConnectionState::Offline);
    }

    pub fn online(&self) {
        self.offline.set(false);
        Tab::get().connection_changed(ConnectionState::Reconnecting);
        self.backoff.borrow_mut().succeeded();
        self.open_after(Duration::ZERO);
    }
}

fn listen(source: &EventSource, name: &str, handle: impl Fn(Event) + 'static) -> Listener {
    let listener = Closure::<dyn FnMut(Event)>::new(handle);
    if let Err(error) =
        source.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref())
    {
        leptos::logging::warn!("could not listen for {name}: {error:?}");
    }
    listener
}
