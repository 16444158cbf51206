//! "Sign in on another device": makes a device link and shows it with its QR code, to open
//! on a phone (scanning) or paste elsewhere. The link works once, for ten minutes, and can
//! be revoked here.

use super::time_format::{self, ViewClock};
use super::Hydrated;
use crate::api::{DeviceLink, LinkDevice, RevokeDeviceLink};
use leptos::prelude::*;

#[component]
pub fn DeviceLinkPanel() -> impl IntoView {
    let make = ServerAction::<LinkDevice>::new();
    let revoke = ServerAction::<RevokeDeviceLink>::new();
    // The link on show: gone once revoked.
    let shown = RwSignal::new(None::<DeviceLink>);
    Effect::new(move |_| match make.value().get() {
        Some(Ok(link)) => shown.set(Some(link)),
        _ => shown.set(None),
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = revoke.value().get() {
            shown.set(None);
        }
    });
    let refused = move || {
        make.value()
            .get()
            .and_then(Result::err)
            .map(|error| error.to_string())
    };
    view! {
        <section class="account-section" aria-labelledby="device-link-title">
            <h2 id="device-link-title">"Sign in on another device"</h2>
            <p class="account-hint">
                "Open the link (or scan the code) on the other device: it signs in as you, once, within ten minutes. It never carries your password."
            </p>
            <ActionForm action=make attr:class="account-form">
                <button type="submit">
                    {move || if shown.with(Option::is_some) { "Make a new link" } else { "Make a sign-in link" }}
                </button>
            </ActionForm>
            <p class="composer-error" role="alert">{refused}</p>
            {move || shown.get().map(|link| view! { <ShownLink link revoke /> })}
        </section>
    }
}

/// The link, its QR code, until when it works, and Revoke.
#[component]
fn ShownLink(link: DeviceLink, revoke: ServerAction<RevokeDeviceLink>) -> impl IntoView {
    let hydrated = use_context::<Hydrated>();
    let expires = link.expires_at;
    let until = move || {
        let view = ViewClock::of(hydrated);
        time_format::stamp(view.wall(expires), view.now())
    };
    view! {
        <div class="device-link">
            <div class="device-link-qr" role="img" aria-label="QR code of the sign-in link" inner_html=link.qr_svg></div>
            <label for="device-link-url">"Sign-in link"</label>
            <input id="device-link-url" class="device-link-url" readonly value=link.url />
            <p class="account-hint">"Works once, until " {until} "."</p>
            <ActionForm action=revoke attr:class="account-form">
                <input type="hidden" name="id" value=link.id />
                <button type="submit">"Revoke this link"</button>
            </ActionForm>
        </div>
    }
}
