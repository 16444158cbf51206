use super::notify_settings::NotifySettings;
use crate::api::MAX_UNREAD;
use crate::room::RoomState;
use leptos::prelude::*;

/// The rooms the person joined, each with its unread count, and a way to leave each.
/// Open beside the conversation; on a phone, folded into a "Your rooms" line.
#[component]
pub fn RoomsSidebar() -> impl IntoView {
    let state = expect_context::<RoomState>();
    let current = StoredValue::new(state.room());
    let open = RwSignal::new(true);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let narrow = window()
            .match_media("(max-width: 760px)")
            .ok()
            .flatten()
            .is_some_and(|query| query.matches());
        if narrow {
            open.set(false);
        }
    });
    let total = move || {
        let unread = state.joined.total_unread();
        (unread > 0).then(|| {
            view! {
                <span class="rooms-sidebar-total" aria-label=format!("{unread} unread")>
                    {unread_label(unread)}
                </span>
            }
        })
    };
    view! {
        <details class="rooms-sidebar" prop:open=open>
            <summary>
                "Your rooms" {total}
            </summary>
            <nav aria-label="Your rooms">
                <JoinedList direct=false current />
            </nav>
            <Show when=move || !rooms_of(state, true).is_empty()>
                <nav aria-label="Direct messages" class="direct-messages">
                    <h2 class="rooms-sidebar-heading">"Direct messages"</h2>
                    <JoinedList direct=true current />
                </nav>
            </Show>
            <NotifySettings />
        </details>
    }
    // Erased: the room page's view type is otherwise too deep for the compiler.
    .into_any()
}

/// The joined rooms that are direct messages (`@` and the other person's name), or the
/// others (`#` and the room's name), live.
#[component]
fn JoinedList(direct: bool, current: StoredValue<String>) -> impl IntoView {
    let state = expect_context::<RoomState>();
    view! {
        <ul>
            <For
                each=move || rooms_of(state, direct)
                key=|room| (room.name.clone(), room.unread, room.mentions)
                let:room
            >
                <JoinedRoomItem
                    current=current.with_value(|current| *current == room.name)
                    mark=if direct { "@" } else { "#" }
                    label=if direct {
                        room.with.clone().unwrap_or_else(|| "someone".into())
                    } else {
                        room.name.clone()
                    }
                    name=room.name
                    unread=room.unread
                    mentions=room.mentions
                />
            </For>
        </ul>
    }
}

/// The joined rooms that are (or are not) direct messages.
fn rooms_of(state: RoomState, direct: bool) -> Vec<crate::api::JoinedRoom> {
    state
        .joined
        .list()
        .into_iter()
        .filter(|room| {
            room.name
                .starts_with(crate::domain::RoomName::DIRECT_PREFIX)
                == direct
        })
        .collect()
}

/// One joined room: `mark` and `label` are what the list shows (`#` and `lobby`, or `@`
/// and `Ann` for a direct message); the mark is not read out.
#[component]
fn JoinedRoomItem(
    name: String,
    mark: &'static str,
    label: String,
    unread: u32,
    mentions: u32,
    current: bool,
) -> impl IntoView {
    let href = format!("/r/{name}");
    let leave_label = format!("Leave {mark}{label}");
    let has_unread = unread > 0;
    let has_mentions = mentions > 0;
    let leaving = name.clone();
    let on_leave = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        #[cfg(feature = "hydrate")]
        if let Ok(room) = crate::domain::RoomName::parse(&leaving) {
            crate::client::joined_rooms::leave(room);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &leaving;
    };
    view! {
        <li
            class="joined-room"
            class:has-unread=has_unread
            class:has-mentions=has_mentions
            class:current=current
        >
            // A full page load: each room page holds one room's state and streams.
            <a href=href rel="external" aria-current=current.then_some("page")>
                <span class="room-hash" aria-hidden="true">
                    {mark}
                </span>
                {label}
            </a>
            // A mention outranks the unread count: the badge says someone needs them.
            {if mentions > 0 {
                let label = if mentions == 1 {
                    "1 mention".to_owned()
                } else {
                    format!("{mentions} mentions")
                };
                Some(
                    view! {
                        <span class="mention-count" aria-label=label>
                            "@"
                            {unread_label(mentions)}
                        </span>
                    }
                        .into_any(),
                )
            } else {
                (unread > 0)
                    .then(|| {
                        view! {
                            <span class="unread-count" aria-label=format!("{unread} unread")>
                                {unread_label(unread)}
                            </span>
                        }
                            .into_any()
                    })
            }}
            // Without JavaScript the form posts to the server function, which sends the
            // browser back to the page.
            <form class="leave-room" method="post" action="/api/leave_room" on:submit=on_leave>
                <input type="hidden" name="room" value=name />
                <button type="submit" aria-label=leave_label title="Leave">
                    "×"
                </button>
            </form>
        </li>
    }
    .into_any()
}

fn unread_label(unread: u32) -> String {
    if unread > MAX_UNREAD {
        format!("{MAX_UNREAD}+")
    } else {
        unread.to_string()
    }
}
