//! Desktop notifications (the Notifications API), once the person allowed them: a mention,
//! or with a room on "every message" any message from someone else, in a room they are not
//! looking at (another room, or a hidden tab). Every open tab hears the same message; the
//! notification's tag (room and seq) makes the browser show it once.

use crate::domain::ChatMessage;
use leptos::web_sys::{Notification, NotificationOptions, NotificationPermission};

/// Whether the person allowed notifications.
pub fn allowed() -> bool {
    Notification::permission() == NotificationPermission::Granted
}

/// Whether the browser may still ask (the person has neither allowed nor refused).
pub fn may_ask() -> bool {
    Notification::permission() == NotificationPermission::Default
}

/// Asks the browser for permission (it must follow a click); `on_answer` learns whether
/// notifications are allowed now.
pub fn ask(on_answer: impl FnOnce(bool) + 'static) {
    let Ok(promise) = Notification::request_permission() else {
        return;
    };
    leptos::task::spawn_local(async move {
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        on_answer(allowed());
    });
}

/// Shows `message` as a desktop notification; clicking it opens the message in context.
pub fn show(message: &ChatMessage, mentioned: bool) {
    if !allowed() {
        return;
    }
    let title = if mentioned {
        format!("{} mentioned you in #{}", message.author, message.room)
    } else {
        format!("{} in #{}", message.author, message.room)
    };
    let options = NotificationOptions::new();
    options.set_body(&crate::domain::excerpt(&message.body));
    options.set_tag(&format!("{}:{}", message.room, message.seq));
    let Ok(notification) = Notification::new_with_options(&title, &options) else {
        return;
    };
    let link = format!("/r/{}?at={}", message.room, message.seq);
    let on_click = leptos::wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = leptos::prelude::window().focus();
        let _ = leptos::prelude::window().location().set_href(&link);
    });
    notification.set_onclick(Some(leptos::wasm_bindgen::JsCast::unchecked_ref(&on_click)));
}
