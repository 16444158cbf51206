//! Scrolling: follow new messages, count the ones that arrive out of view, load older ones
//! when the reader reaches the top.

use crate::api::{get_history, get_newer};
use crate::domain::Seq;
use crate::room::RoomState;
use leptos::html::Ol;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::wasm_bindgen::closure::Closure;
use leptos::wasm_bindgen::JsCast;
use send_wrapper::SendWrapper;

/// How close to the bottom (in CSS pixels) still counts as "reading the newest messages".
const NEAR_BOTTOM: i32 = 150;
/// How close to the top starts loading older messages.
const NEAR_TOP: i32 = 200;
/// The space between two messages (CSS `gap` of the list).
const MESSAGE_GAP: i32 = 10;

fn scroller() -> Option<leptos::web_sys::Element> {
    document().scrolling_element()
}

fn distance_from_bottom() -> i32 {
    scroller().map_or(0, |s| {
        s.scroll_height() - s.scroll_top() - s.client_height()
    })
}

/// Scrolls to the newest message and clears the "new messages" count.
pub fn to_bottom(state: RoomState) {
    if let Some(scroller) = scroller() {
        scroller.set_scroll_top(scroller.scroll_height());
    }
    state.below.set(0);
}

/// When a message arrives: scroll to it if the reader was at the bottom (or just sent one),
/// otherwise count it for the "N new messages" button. The first render starts at the bottom.
pub fn follow_newest(state: RoomState, list: NodeRef<Ol>) {
    Effect::new(move |previous: Option<(Seq, usize)>| {
        let now = (state.timeline.newest(), state.outbox.items().len());
        match previous {
            // Opened at a permalink: its message, highlighted; else the newest.
            None => request_animation_frame(move || match state.focus.get_value() {
                Some(focus) if super::replies::jump_to(focus) => {}
                _ => to_bottom(state),
            }),
            Some((_, pending)) if now.1 > pending => {
                request_animation_frame(move || to_bottom(state));
            }
            Some((newest, _)) if now.0 > newest => {
                let arrived = state.timeline.count_after(newest, |_| true);
                // The new messages are drawn already: was the reader at the bottom before?
                let was_at_bottom =
                    distance_from_bottom() - height_of_newest(list, arrived) <= NEAR_BOTTOM;
                if was_at_bottom {
                    request_animation_frame(move || to_bottom(state));
                } else {
                    state.below.update(|n| *n += arrived);
                }
            }
            Some(_) => {}
        }
        now
    });
    on_scroll(move || {
        if distance_from_bottom() <= NEAR_BOTTOM && state.below.get_untracked() > 0 {
            state.below.set(0);
        }
    });
}

/// The height of the last `count` confirmed messages in the list.
fn height_of_newest(list: NodeRef<Ol>, count: usize) -> i32 {
    let Some(list) = list.get_untracked() else {
        return 0;
    };
    let Ok(items) = list.query_selector_all("li.message:not(.pending)") else {
        return 0;
    };
    let total = items.length();
    let first = total.saturating_sub(u32::try_from(count).unwrap_or(u32::MAX));
    (first..total)
        .filter_map(|i| items.item(i))
        .filter_map(|node| node.dyn_into::<leptos::web_sys::Element>().ok())
        .map(|item| item.get_bounding_client_rect().height().ceil() as i32 + MESSAGE_GAP)
        .sum()
}

/// Loads the previous page when the reader scrolls near the top.
pub fn load_older_near_top(state: RoomState, loading: RwSignal<bool>) {
    on_scroll(move || {
        let near_top = scroller().is_some_and(|s| s.scroll_top() < NEAR_TOP);
        if near_top && state.timeline.has_older() {
            load_older(state, loading);
        }
    });
}

/// Loads the page before the oldest message shown, keeping what the reader sees in place.
pub fn load_older(state: RoomState, loading: RwSignal<bool>) {
    if loading.get_untracked() {
        return;
    }
    let Some(oldest) = state.timeline.oldest() else {
        return;
    };
    loading.set(true);
    spawn_local(async move {
        let height_before = scroller().map_or(0, |s| s.scroll_height());
        match get_history(state.room(), oldest).await {
            Ok(page) => {
                state.timeline.prepend(page.messages, page.has_older);
                request_animation_frame(move || {
                    if let Some(s) = scroller() {
                        s.set_scroll_top(s.scroll_top() + s.scroll_height() - height_before);
                    }
                    loading.set(false);
                });
            }
            Err(error) => {
                leptos::logging::warn!("could not load older messages: {error}");
                loading.set(false);
            }
        }
    });
}

/// Calls `handle` on every scroll of the page, until the page goes away.
fn on_scroll(handle: impl Fn() + 'static) {
    let listener = Closure::<dyn Fn()>::new(handle);
    let _ = window().add_event_listener_with_callback("scroll", listener.as_ref().unchecked_ref());
    let listener = SendWrapper::new(listener);
    on_cleanup(move || {
        let _ = window()
            .remove_event_listener_with_callback("scroll", listener.as_ref().unchecked_ref());
    });
}

/// Loads the page after the window a permalink opened (the "Newer messages" button).
pub fn load_newer(state: RoomState, loading: RwSignal<bool>) {
    let Some(after) = state.timeline.window_end() else {
        return;
    };
    if loading.get_untracked() {
        return;
    }
    loading.set(true);
    spawn_local(async move {
        match get_newer(state.room(), after).await {
            Ok(page) => state.timeline.append_newer(page.messages, page.has_newer),
            Err(error) => leptos::logging::warn!("could not load newer messages: {error}"),
        }
        loading.set(false);
    });
}
