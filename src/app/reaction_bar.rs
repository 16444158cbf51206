//! A message's reactions: one button per emoji with its count and who reacted (the first few
//! by name; pressed when one of them is the viewer; pressing it takes the reaction back or
//! adds it), and a picker with quick choices or any emoji. Each button is a form posting to
//! `add_reaction` or `remove_reaction`, so reacting works before the wasm loads and without
//! JavaScript.

use crate::api::{AddReaction, RemoveReaction};
use crate::domain::{ReactionGroup, Reactions, Seq, QUICK_REACTIONS};
use crate::room::RoomState;
use leptos::html::Input;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// The reactions of a message that has some, with the picker after them. A refusal shows
/// in `error`.
#[component]
pub fn ReactionBar(
    seq: Seq,
    reactions: Reactions,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let state = expect_context::<RoomState>();
    let me = state.viewer.get_untracked().id;
    let chips = reactions
        .0
        .into_iter()
        .map(|group| {
            // The viewer is always among the people named when they reacted.
            let mine = group.users.iter().any(|user| user.id == me);
            let count = group.count;
            let label = format!("{} reacted with {}", who(&group), group.emoji);
            view! {
                <ReactionForm seq emoji=group.emoji.clone() add=!mine error>
                    <button
                        type="submit"
                        class="reaction"
                        class:mine=mine
                        aria-pressed=mine.to_string()
                        title=label.clone()
                        aria-label=label
                    >
                        <span class="reaction-emoji">{group.emoji.clone()}</span>
                        <span class="reaction-count">{count}</span>
                    </button>
                </ReactionForm>
            }
        })
        .collect_view();
    view! {
        <div class="reactions">
            {chips}
            <ReactionPicker seq error />
        </div>
    }
}

/// The people named, then how many others: "ann, bob and 2,998 others".
fn who(group: &ReactionGroup) -> String {
    let names = group
        .users
        .iter()
        .map(|user| user.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    match group.others() {
        0 => names,
        1 => format!("{names} and 1 other"),
        others => format!("{names} and {others} others"),
    }
}

/// The quick choices and a field for any emoji, folded behind one button (beside a
/// message's reactions, or among its actions while it has none).
#[component]
pub fn ReactionPicker(seq: Seq, error: RwSignal<Option<String>>) -> impl IntoView {
    let state = expect_context::<RoomState>();
    let any = NodeRef::<Input>::new();
    let add_path = <AddReaction as ServerFn>::PATH;
    let quick = QUICK_REACTIONS
        .iter()
        .map(|emoji| {
            view! {
                <ReactionForm seq emoji=(*emoji).to_owned() add=true error>
                    <button type="submit" class="quick-reaction" aria-label=format!("React with {emoji}")>
                        {*emoji}
                    </button>
                </ReactionForm>
            }
        })
        .collect_view();
    view! {
        <details class="reaction-picker">
            <summary title="Add a reaction" aria-label="Add a reaction">"☺+"</summary>
            <div class="reaction-choices">
                {quick}
                <form
                    class="any-reaction"
                    method="post"
                    action=add_path
                    on:submit=move |event| {
                        #[cfg(feature = "hydrate")]
                        {
                            event.prevent_default();
                            if let Some(input) = any.get_untracked() {
                                let emoji = input.value();
                                input.set_value("");
                                crate::client::reactions::react(state, seq, emoji, true, error);
                            }
                        }
                        #[cfg(not(feature = "hydrate"))]
                        let _ = (event, any, state);
                    }
                >
                    <input type="hidden" name="room" value=state.room() />
                    <input type="hidden" name="seq" value=seq.get() />
                    <input
                        name="emoji"
                        node_ref=any
                        required
                        maxlength="16"
                        size="4"
                        placeholder="any emoji"
                        aria-label="Any emoji"
                    />
                    <button type="submit">"Add"</button>
                </form>
            </div>
        </details>
    }
}

/// A form that adds (or takes back) `emoji` on message `seq`; with JavaScript it does so
/// without reloading the page.
#[component]
fn ReactionForm(
    seq: Seq,
    emoji: String,
    add: bool,
    error: RwSignal<Option<String>>,
    children: Children,
) -> impl IntoView {
    let state = expect_context::<RoomState>();
    let action = if add {
        <AddReaction as ServerFn>::PATH
    } else {
        <RemoveReaction as ServerFn>::PATH
    };
    let sent = emoji.clone();
    view! {
        <form
            class="reaction-form"
            method="post"
            action=action
            on:submit=move |event| {
                #[cfg(feature = "hydrate")]
                {
                    event.prevent_default();
                    crate::client::reactions::react(state, seq, sent.clone(), add, error);
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = (event, &sent, error);
            }
        >
            <input type="hidden" name="room" value=state.room() />
            <input type="hidden" name="seq" value=seq.get() />
            <input type="hidden" name="emoji" value=emoji />
            {children()}
        </form>
    }
}
