use super::attachment_list::AttachmentList;
use super::message_body::MessageBody;
use super::message_editor::MessageEditor;
use super::quote_link::QuoteLink;
use super::reaction_bar::{ReactionBar, ReactionPicker};
use super::time_format::{self, ViewClock};
use super::Hydrated;
use crate::domain::Seq;
use crate::room::{RoomState, Shown};
use leptos::prelude::*;

/// One message. The body is shown in its Markdown subset (`message_body.rs`): elements
/// only of that subset, its text escaped, so HTML in a message is shown, never run.
#[component]
pub fn MessageItem(shown: Shown) -> impl IntoView {
    let state = expect_context::<RoomState>();
    let hydrated = use_context::<Hydrated>();
    let Shown {
        message,
        continued,
        previous_sent_at,
    } = shown;
    let sent_at = message.sent_at;
    let clock = move || {
        let view = ViewClock::of(hydrated);
        time_format::stamp(view.wall(sent_at), view.now())
    };
    // A new day (on the viewer's clock) starts above its first message.
    let day_separator = move || {
        let view = ViewClock::of(hydrated);
        let day = time_format::day_of(view.wall(sent_at));
        let new_day = previous_sent_at.is_none_or(|p| time_format::day_of(view.wall(p)) != day);
        new_day.then(|| {
            let label = time_format::day_label(day, time_format::day_of(view.now()));
            let text = label.clone();
            view! {
                <li class="day-separator" role="separator" aria-label=label>
                    <span>{text}</span>
                </li>
            }
        })
    };
    let iso = time_format::utc_iso(sent_at);
    let mine = state.is_me(&message.author_id) && !message.deleted;
    let editing = RwSignal::new(false);
    let seq = message.seq;
    let body = message.body.clone();
    let deleted = message.deleted;
    let me = state.viewer.with_untracked(|viewer| viewer.id.clone());
    let mentions_me = message.mentions_person(&me);
    let mentions = message.mentions.clone();
    let room = state.room();
    let permalink = format!("/r/{room}?at={seq}");
    let quote = message.reply_to.map(|reply_to| {
        view! { <QuoteLink room=room.clone() reply_to quote=message.quote.clone() /> }.into_any()
    });
    let files = (!deleted && !message.attachments.is_empty())
        .then(|| view! { <AttachmentList files=message.attachments.clone() /> }.into_any());
    let reaction_error = RwSignal::new(None::<String>);
    let has_reactions = !message.reactions.is_empty();
    let reactions = (!deleted && has_reactions).then(|| {
        view! { <ReactionBar seq reactions=message.reactions.clone() error=reaction_error /> }
            .into_any()
    });
    let actions = view! {
        <MessageActions
            seq
            mine
            ban=(!mine && !message.bot).then(|| (message.author_id.to_string(), message.author.clone()))
            has_reactions
            deleted
            pinned=message.pinned
            editing
            reaction_error
        />
    }
    .into_any();

    let content = if message.deleted {
        view! { <div class="message-body deleted"><p>"message deleted"</p></div> }.into_any()
    } else {
        view! {
            <Show
                when=move || editing.get()
                fallback={
                    let body = body.clone();
                    move || {
                        view! {
                            <MessageBody body=body.clone() mentions=mentions.clone() me=me.clone() />
                        }
                    }
                }
            >
                <MessageEditor seq body=body.clone() editing />
            </Show>
        }
        .into_any()
    };

    view! {
        {day_separator}
        <li
            class="message"
            class:continued=continued
            class:mine=mine
            class:mentions-me=mentions_me
            data-seq=seq.get()
        >
            <div class="message-meta" class:visually-hidden=continued>
                <span class="message-author">{message.author.clone()}</span>
                {message.bot.then(|| view! { <span class="bot-mark" title="Posted by a webhook">"bot"</span> })}
                <a class="permalink" href=permalink rel="external" title="Link to this message">
                    <time datetime=iso.clone() title=iso>
                        {clock}
                    </time>
                </a>
                {message.edited_at.map(|_| view! { <span class="edited">"(edited)"</span> })}
                {message.pinned.then(|| view! {
                    <span class="pinned-mark" title="Pinned to the room's header">
                        <span aria-hidden="true">"📌"</span>
                        <span class="visually-hidden">"pinned"</span>
                    </span>
                })}
            </div>
            {quote}
            {content}
            {files}
            {reactions}
            <Show when=move || reaction_error.with(Option::is_some)>
                <p class="reaction-error" role="alert">{move || reaction_error.get()}</p>
            </Show>
            {actions}
        </li>
    }
    .into_any()
}

/// Reply and Pin (or Unpin) for every message, the reaction picker while it has no
/// reactions (else it sits beside them), Edit and Delete for one's own, Delete for anyone's to who moderates
/// the room, and "Ban…" (the administrators' page) for a person's to administrators.
#[component]
fn MessageActions(
    seq: Seq,
    mine: bool,
    /// The author's id and name, to ban (shown to administrators).
    ban: Option<(String, String)>,
    has_reactions: bool,
    deleted: bool,
    pinned: bool,
    editing: RwSignal<bool>,
    reaction_error: RwSignal<Option<String>>,
) -> impl IntoView {
    let state = expect_context::<RoomState>();
    let reply_href = format!("/r/{}?reply={seq}#composer-body", state.room());
    let ban_href = ban
        .filter(|_| state.admin)
        .map(|(id, name)| format!("/admin?ban={id}&name={}", super::url_query::encode(&name)));
    let reply = move |event: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        {
            event.prevent_default();
            crate::client::replies::start(state, seq);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = event;
    };
    view! {
        <Show when=move || !deleted && !editing.get()>
            <div class="message-actions">
                <a class="reply-link" href=reply_href.clone() on:click=reply>
                    "Reply"
                </a>
                {(!has_reactions).then(|| view! { <ReactionPicker seq error=reaction_error /> })}
                <button type="button" class="pin-button" on:click=move |_| {
                    #[cfg(feature = "hydrate")]
                    crate::client::message_actions::pin(state, seq, !pinned, reaction_error);
                }>
                    {if pinned { "Unpin" } else { "Pin" }}
                </button>
                <Show when=move || mine>
                    <button type="button" on:click=move |_| editing.set(true)>
                        "Edit"
                    </button>
                </Show>
                <Show when=move || mine || state.moderates>
                    <button type="button" on:click=move |_| {
                        #[cfg(feature = "hydrate")]
                        crate::client::message_actions::delete(state, seq);
                    }>
                        "Delete"
                    </button>
                </Show>
                {ban_href.clone().map(|href| view! { <a class="ban-link" href=href rel="external">"Ban…"</a> })}
            </div>
        </Show>
    }
}
