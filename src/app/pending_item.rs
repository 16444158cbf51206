use crate::room::{ConnectionState, Pending, RoomState, Status};
use leptos::prelude::*;

/// A message the server has not confirmed: "Sending…", "Waiting to be sent…", "Waiting for
/// the network…", or "Not sent" with "Retry" and "Edit" (back into the text box).
#[component]
pub fn PendingItem(pending: Pending) -> impl IntoView {
    let state = expect_context::<RoomState>();
    let Pending {
        client_id,
        body,
        status,
        attachments,
        ..
    } = pending;
    let names: Vec<String> = attachments.into_iter().map(|file| file.name).collect();
    let files = (!names.is_empty())
        .then(|| view! { <p class="pending-files">"📎 " {names.join(", ")}</p> });
    let author = state.viewer.get_untracked().name;
    let failed = matches!(status, Status::Failed(_));
    let status = match status {
        // Behind a message that waits for the network, or with the page offline, it waits
        // too.
        Status::Queued | Status::Sending | Status::Offline => {
            let sending = status == Status::Sending;
            let waiting = status == Status::Offline;
            let offline = move || waiting || state.connection.get() == ConnectionState::Offline;
            let label = move || match (offline(), sending) {
                (true, _) => "Waiting for the network…",
                (false, true) => "Sending…",
                // Behind one that has not gone yet (failed, or on its way).
                (false, false) => "Waiting to be sent…",
            };
            view! {
                <span class="pending-status" class:offline=offline>
                    {label}
                </span>
            }
            .into_any()
        }
        Status::Failed(reason) => {
            let client_id = client_id.clone();
            let taken = client_id.clone();
            view! {
                <span class="pending-status failed" role="alert">
                    "Not sent: " {reason}
                </span>
                <button type="button" class="retry" on:click=move |_| {
                    #[cfg(feature = "hydrate")]
                    crate::client::sending::retry(state, client_id.clone());
                    #[cfg(not(feature = "hydrate"))]
                    let _ = &client_id;
                }>
                    "Retry"
                </button>
                <button type="button" class="retry" on:click=move |_| {
                    #[cfg(feature = "hydrate")]
                    crate::client::sending::take_back(state, taken.clone());
                    #[cfg(not(feature = "hydrate"))]
                    let _ = &taken;
                }>
                    "Edit"
                </button>
            }
            .into_any()
        }
    };
    view! {
        <li class="message mine pending" class:failed=failed data-client-id=client_id>
            <div class="message-meta">
                <span class="message-author">{author}</span>
                {status}
            </div>
            <div class="message-body"><p>{body}</p></div>
            {files}
        </li>
    }
}
