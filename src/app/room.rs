use super::composer::Composer;
use super::connection_badge::ConnectionBadge;
use super::message_list::MessageList;
use super::name_form::NameForm;
use super::pinned_list::PinnedList;
use super::presence_list::PresenceList;
use super::rooms_sidebar::RoomsSidebar;
use super::search_form::SearchForm;
use super::typing_indicator::TypingIndicator;
use super::Hydrated;
use crate::api::RoomSnapshot;
use crate::room::{ConnectionState, RoomState};
use leptos::prelude::*;
use leptos_meta::Title;

/// A room: its messages, live, who is online, and the composer.
#[component]
pub fn Room(snapshot: RoomSnapshot) -> impl IntoView {
    let hydrated = Hydrated::provide();
    let state = RoomState::new(snapshot);
    provide_context(state);

    #[cfg(feature = "hydrate")]
    {
        crate::client::feed::follow(state);
        crate::client::joined_rooms::follow(state);
        crate::client::attention::count_unread(state);
        crate::client::sending::guard_unload(state);
    }

    let room = state.room();
    // Mentions in any joined room first ("@2"), then what arrived here while hidden.
    // On the server the title is read after the page's reactive owner is gone: it is made
    // of plain values there, and follows the signals only in the browser.
    let room_title = format!("#{} · Chat", state.room());
    #[cfg(not(feature = "hydrate"))]
    let title = {
        let mentions = state.joined.total_mentions_untracked();
        move || page_title(mentions, 0, &room_title)
    };
    #[cfg(feature = "hydrate")]
    let title = move || {
        page_title(
            state.joined.total_mentions(),
            state.unread.get(),
            &room_title,
        )
    };
    view! {
        <Title text=title />
        <main class="room" data-hydrated=move || hydrated.get().to_string()>
            <header class="room-header">
                <a class="back" href="/" aria-label="All rooms">
                    "←"
                </a>
                <h1>
                    <span class="room-hash" aria-hidden="true">
                        "#"
                    </span>
                    {room}
                    <Show when=move || state.private.with(Option::is_some)>
                        <span class="room-lock" title="Private room">
                            <span aria-hidden="true">"🔒"</span>
                            <span class="visually-hidden">" (private)"</span>
                        </span>
                    </Show>
                </h1>
                <PinnedList />
                <SearchForm words="" room=Some(state.room()) />
                <ConnectionBadge state=state.connection hydrated />
                <NameForm />
                <a class="account-link" href="/account" rel="external">"Account"</a>
            </header>
            <div class="room-body">
                <RoomsSidebar />
                <section class="room-conversation" aria-label="Conversation">
                    <MessageList />
                    <TypingIndicator />
                    <Show when=move || state.connection.get() == ConnectionState::Offline>
                        <p class="offline-notice">
                            <strong>"You are offline."</strong>
                            " This is the room as this device last saw it. What you write waits here, kept, and is sent when the network is back."
                        </p>
                    </Show>
                    {match (state.locked, state.moderates) {
                        (true, false) => view! {
                            <p class="room-locked" role="status">
                                "This room is locked: only its moderators can write in it."
                            </p>
                        }.into_any(),
                        (true, true) => view! {
                            <p class="room-locked" role="status">
                                "This room is locked: only its moderators (you among them) can write."
                            </p>
                            <Composer />
                        }.into_any(),
                        (false, _) => view! { <Composer /> }.into_any(),
                    }}
                </section>
                <PresenceList />
            </div>
        </main>
    }
    .into_any()
}

/// "(@2) (5) #lobby · Chat": mentions in any joined room, then what arrived here unseen.
fn page_title(mentions: u32, unread: usize, room_title: &str) -> String {
    let mentions = match mentions {
        0 => String::new(),
        n => format!("(@{n}) "),
    };
    let unread = match unread {
        0 => String::new(),
        n => format!("({n}) "),
    };
    format!("{mentions}{unread}{room_title}")
}
