use crate::api::CreateRoom;
use crate::domain::RoomName;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// "Start a private room": a real form posting to `create_room` (without JavaScript the
/// server sends the browser on to the new room, or back here with the reason); once
/// hydrated it creates the room and opens it.
#[component]
pub fn CreatePrivateRoom() -> impl IntoView {
    // Without JavaScript a refusal returns in the URL; the server action reads it.
    let refused = ServerAction::<CreateRoom>::new()
        .value()
        .get_untracked()
        .and_then(Result::err)
        .map(|error| error.to_string());
    let error = RwSignal::new(refused);
    let action = <CreateRoom as ServerFn>::PATH;
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::JsCast;
            event.prevent_default();
            let name = event
                .target()
                .and_then(|form| form.dyn_into::<leptos::web_sys::HtmlFormElement>().ok())
                .and_then(|form| form.elements().named_item("name"))
                .and_then(|input| input.dyn_into::<leptos::web_sys::HtmlInputElement>().ok())
                .map(|input| input.value())
                .unwrap_or_default();
            leptos::task::spawn_local(async move {
                match crate::api::create_room(name, Some("true".into())).await {
                    Ok(created) => {
                        let _ = window()
                            .location()
                            .set_href(&format!("/r/{}", created.room));
                    }
                    Err(refused) => error.set(Some(refused.to_string())),
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = event;
    };
    view! {
        <form class="join-form create-private" method="post" action=action on:submit=on_submit>
            <label for="private-room">"Start a private room (invite only)"</label>
            <input type="hidden" name="private" value="true" />
            <div class="composer-row">
                <input
                    id="private-room"
                    name="name"
                    placeholder="e.g. team-offsite"
                    maxlength=RoomName::MAX_LEN
                    autocomplete="off"
                    aria-describedby="private-room-error"
                    required
                />
                <button type="submit">"Create"</button>
            </div>
            <p id="private-room-error" class="composer-error" role="alert">
                {move || error.get()}
            </p>
        </form>
    }
}
