//! The composer's `@` suggestions: typing `@` and the start of a name lists the people of
//! the room who fit (online first); arrows move, Enter or Tab or a click picks, Escape
//! closes. Picking writes `@Name ` and remembers whom it meant (by id).

use crate::domain::OnlineUser;
use crate::room::{suggestions, typed_at_caret, Picking, RoomState};
use leptos::html::Textarea;
use leptos::prelude::*;
use leptos::web_sys::KeyboardEvent;

/// After each input: opens, updates or closes the suggestions for the `@name` at the caret.
pub fn on_input(state: RoomState, body: NodeRef<Textarea>, picking: RwSignal<Option<Picking>>) {
    let Some(textarea) = body.get_untracked() else {
        return;
    };
    let value = textarea.value();
    let before = before_caret(&value, caret(&textarea));
    let found = typed_at_caret(before).and_then(|typed| {
        let me = state.viewer.with_untracked(|viewer| viewer.id.clone());
        let online = state.presence.with_untracked(|p| p.online.clone());
        let options = state
            .members
            .with_value(|members| suggestions(&typed.query, &online, members, &me));
        (!options.is_empty()).then_some(Picking {
            typed,
            options,
            active: 0,
        })
    });
    picking.set(found);
}

/// Keys while suggestions are open; `true` when the key was theirs (and must not send).
pub fn on_key(
    event: &KeyboardEvent,
    state: RoomState,
    body: NodeRef<Textarea>,
    picking: RwSignal<Option<Picking>>,
) -> bool {
    if picking.with_untracked(Option::is_none) {
        return false;
    }
    match event.key().as_str() {
        "ArrowDown" => picking.update(|p| p.iter_mut().for_each(|p| p.step(1))),
        "ArrowUp" => picking.update(|p| p.iter_mut().for_each(|p| p.step(-1))),
        "Escape" => picking.set(None),
        "Enter" | "Tab" if !event.shift_key() => {
            let person = picking.with_untracked(|p| p.as_ref()?.active_person().cloned());
            match person {
                Some(person) => choose(state, body, picking, person),
                None => return false,
            }
        }
        _ => return false,
    }
    event.prevent_default();
    true
}

/// Writes `@Name ` in place of the `@` being typed, and remembers whom it means.
pub fn choose(
    state: RoomState,
    body: NodeRef<Textarea>,
    picking: RwSignal<Option<Picking>>,
    person: OnlineUser,
) {
    let Some(at) = picking.with_untracked(|p| p.as_ref().map(|p| p.typed.at)) else {
        return;
    };
    picking.set(None);
    let Some(textarea) = body.get_untracked() else {
        return;
    };
    let value = textarea.value();
    let end = before_caret(&value, caret(&textarea)).len();
    let inserted = format!("@{} ", person.name);
    let text = format!("{}{inserted}{}", &value[..at], &value[end..]);
    textarea.set_value(&text);
    let caret_after = value[..at].encode_utf16().count() + inserted.encode_utf16().count();
    let caret_after = u32::try_from(caret_after).unwrap_or(u32::MAX);
    let _ = textarea.set_selection_range(caret_after, caret_after);
    let _ = textarea.focus();
    state.picked.update(|picked| {
        if !picked.iter().any(|p| p.id == person.id) {
            picked.push(person);
        }
    });
}

/// Where the caret is, in UTF-16 units (the DOM's measure).
fn caret(textarea: &leptos::web_sys::HtmlTextAreaElement) -> usize {
    let units = textarea.selection_start().ok().flatten().unwrap_or(0);
    usize::try_from(units).unwrap_or(usize::MAX)
}

/// The text before the caret at `units` UTF-16 units (never splitting a character).
fn before_caret(value: &str, units: usize) -> &str {
    let mut counted = 0;
    for (index, c) in value.char_indices() {
        if counted >= units {
            return &value[..index];
        }
        counted += c.len_utf16();
    }
    value
}
