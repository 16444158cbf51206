use super::composer::Composer;
use super::connection::{ConnectionBadge, ConnectionState};
use super::message_list::MessageList;
use super::{Hydrated, Timeline};
use crate::api::RoomSnapshot;
use leptos::prelude::*;
use leptos_meta::Title;

/// A room: its messages, live, and the composer.
#[component]
pub fn Room(snapshot: RoomSnapshot) -> impl IntoView {
    let RoomSnapshot {
        room,
        messages,
        viewer_name,
        client_id,
    } = snapshot;
    let hydrated = Hydrated::provide();
    let timeline = Timeline::new(messages);
    let (connection, set_connection) = signal(ConnectionState::Connecting);

    #[cfg(feature = "hydrate")]
    crate::client::room_feed::follow(room.clone(), timeline, set_connection);
    #[cfg(not(feature = "hydrate"))]
    let _ = set_connection;

    let on_sent = Callback::new(move |message| timeline.insert(message));

    view! {
        <Title text=format!("#{room} · Chat") />
        <main class="room" data-hydrated=move || hydrated.get().to_string()>
            <header class="room-header">
                <h1>
                    <span class="room-hash" aria-hidden="true">
                        "#"
                    </span>
                    {room.clone()}
                </h1>
                <ConnectionBadge state=connection hydrated />
            </header>
            <MessageList timeline />
            <Composer room viewer_name client_id on_sent />
        </main>
    }
    .into_any()
}
