use super::create_private_room::CreatePrivateRoom;
use super::search_form::SearchForm;
use super::time_format;
use crate::api::{list_rooms, RoomListing};
use crate::domain::RoomName;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/`: the rooms, most recently active first, and a form to create or join one by name.
#[component]
pub fn RoomsPage() -> impl IntoView {
    let rooms = Resource::new(|| (), |()| list_rooms());
    let query = use_query_map();
    // The reason a name was refused, as this page's own sentence: a link cannot put text of
    // its choosing here, only a name that fails to parse.
    let error = move || {
        let refused = query.read().get("refused")?;
        RoomName::from_user_input(&refused)
            .err()
            .map(|e| e.to_string())
    };
    view! {
        <Title text="Rooms · Chat" />
        <main class="rooms-page">
            <header class="rooms-header">
                <h1>"Rooms"</h1>
                <a class="account-link" href="/account" rel="external">"Account"</a>
            </header>
            <SearchForm words="" room=None />
            <form class="join-form" method="get" action="/join">
                <label for="join-room">"Create or join a room"</label>
                <div class="composer-row">
                    <input
                        id="join-room"
                        name="room"
                        placeholder="e.g. rust-help"
                        maxlength=RoomName::MAX_LEN
                        autocomplete="off"
                        aria-describedby="join-error"
                        required
                    />
                    <button type="submit">"Go"</button>
                </div>
                <p id="join-error" class="composer-error" role="alert">{error}</p>
            </form>
            <CreatePrivateRoom />
            <Suspense fallback=|| view! { <p>"Loading rooms…"</p> }>
                {move || Suspend::new(async move {
                    match rooms.await {
                        Ok(rooms) if rooms.is_empty() => {
                            view! { <p class="empty-room">"No rooms yet. Start one above, or visit the lobby."</p> }.into_any()
                        }
                        Ok(rooms) => view! { <RoomList rooms /> }.into_any(),
                        Err(error) => view! { <p class="composer-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn RoomList(rooms: Vec<RoomListing>) -> impl IntoView {
    view! {
        <ul class="room-list" aria-label="Rooms">
            {rooms
                .into_iter()
                .map(|room| {
                    let iso = time_format::utc_iso(room.last_activity);
                    // A direct-message room is named by the other person.
                    let title = match &room.with {
                        Some(with) => format!("@{with}"),
                        None => format!("#{}", room.name),
                    };
                    view! {
                        <li>
                            <a href=format!("/r/{}", room.name)>
                                <span class="room-name">{title}</span>
                                <span class="room-facts">
                                    <span class="online-count">{room.online} " online"</span>
                                    " · "
                                    {plural(room.messages, "message")}
                                    " · last message "
                                    <time datetime=iso.clone()>
                                        {iso.replace('T', " ").replace('Z', " UTC")}
                                    </time>
                                </span>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// "1 message", "2 messages".
fn plural(count: u64, noun: &str) -> String {
    match count {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}
