use crate::api::RenewInvite;
use crate::room::RoomState;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// For a private room: who can see it, and for its creator the invite link, to copy, and a
/// way to replace it (which stops the old link from working). "New link" is a real form:
/// without JavaScript it posts and the page comes back with the new link.
#[component]
pub fn PrivateRoomPanel() -> impl IntoView {
    let state = expect_context::<RoomState>();
    let copied = RwSignal::new(false);
    let renew_action = <RenewInvite as ServerFn>::PATH;
    // The server renders the path; the browser shows the whole address (`prop:value`).
    let path = move || {
        state
            .private
            .with(|private| private.as_ref()?.invite.clone())
    };
    let link = move || {
        let path = path()?;
        #[cfg(feature = "hydrate")]
        let path = format!("{}{path}", window().location().origin().unwrap_or_default());
        Some(path)
    };
    let invite = move || {
        link().map(|full| {
            let copy = full.clone();
            let on_copy = move |_| {
                #[cfg(feature = "hydrate")]
                {
                    let _ = window().navigator().clipboard().write_text(&copy);
                    copied.set(true);
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = &copy;
            };
            let on_renew = move |event: leptos::ev::SubmitEvent| {
                #[cfg(feature = "hydrate")]
                {
                    event.prevent_default();
                    copied.set(false);
                    crate::client::invites::renew(state);
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = event;
            };
            view! {
                <label class="invite-label" for="invite-link">
                    "Invite link (whoever opens it can join)"
                </label>
                <input
                    id="invite-link"
                    class="invite-link"
                    readonly
                    value=path
                    prop:value=full
                />
                <div class="invite-actions">
                    <button type="button" on:click=on_copy>
                        {move || if copied.get() { "Copied" } else { "Copy" }}
                    </button>
                    <form method="post" action=renew_action on:submit=on_renew>
                        <input type="hidden" name="room" value=state.room() />
                        <button type="submit" class="secondary" title="The old link stops working">
                            "New link"
                        </button>
                    </form>
                </div>
            }
        })
    };
    view! {
        <Show when=move || state.private.with(Option::is_some)>
            <section class="private-room" aria-label="Private room">
                <p>
                    <span aria-hidden="true">"🔒 "</span>
                    "Private: only members can see this room."
                </p>
                {invite}
            </section>
        </Show>
    }
}
