//! Replying: the composer takes the message to answer, and a quote jumps to its original
//! when it is on the page.

use crate::domain::{Quote, Seq};
use crate::room::RoomState;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;

/// The next message answers message `seq` (as the page shows it); the text box gets the
/// focus.
pub fn start(state: RoomState, seq: Seq) {
    let Some(original) = state.timeline.message(seq) else {
        return;
    };
    state.replying.set(Some((seq, Quote::of(&original))));
    if let Some(textarea) = document()
        .get_element_by_id("composer-body")
        .and_then(|element| element.dyn_into::<leptos::web_sys::HtmlElement>().ok())
    {
        let _ = textarea.focus();
    }
}

/// Scrolls to message `seq` and highlights it for a moment; `false` when it is not on the
/// page (the link then opens the room around it).
pub fn jump_to(seq: Seq) -> bool {
    let Some(element) = document()
        .query_selector(&format!("[data-seq=\"{seq}\"]"))
        .ok()
        .flatten()
    else {
        return false;
    };
    element.scroll_into_view();
    let classes = element.class_list();
    let _ = classes.remove_1("highlight");
    let _ = classes.add_1("highlight");
    true
}
