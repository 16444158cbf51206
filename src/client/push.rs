//! The browser's half of Web Push, for the account page: registers the service worker
//! (`public/sw.js`), asks the person's permission (on their click, never on load),
//! subscribes with the chat's VAPID key (`GET /api/push/key`) and hands the subscription
//! to the server (`POST /api/push/subscribe`); or takes it back. Through `js_sys`, as the
//! passkeys are, so the page carries no bindings it does not use.

use js_sys::{Object, Promise, Reflect, Uint8Array, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Where this browser stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushState {
    /// No service worker or Push API here (or the chat has pushes off).
    Unsupported,
    /// The person refused notifications to this site.
    Blocked,
    Off,
    On,
}

fn get(target: &JsValue, name: &str) -> Result<JsValue, String> {
    Reflect::get(target, &name.into())
        .ok()
        .filter(|value| !value.is_undefined() && !value.is_null())
        .ok_or_else(|| format!("This browser has no {name}."))
}

fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, String> {
    let function: js_sys::Function = get(target, method)?
        .dyn_into()
        .map_err(|_| format!("{method} is not a function"))?;
    let args: js_sys::Array = args.iter().collect();
    function
        .apply(target, &args)
        .map_err(|error| describe(&error))
}

async fn wait(promise: JsValue) -> Result<JsValue, String> {
    let promise: Promise = promise.dyn_into().map_err(|_| "not a promise".to_owned())?;
    JsFuture::from(promise)
        .await
        .map_err(|error| describe(&error))
}

fn describe(error: &JsValue) -> String {
    get(error, "message")
        .ok()
        .and_then(|message| message.as_string())
        .unwrap_or_else(|| "The browser refused.".to_owned())
}

/// The service worker's registration (registering it if need be), once it is active.
async fn registration() -> Result<JsValue, String> {
    let window: JsValue = web_sys::window().ok_or("no window")?.into();
    let container = get(&get(&window, "navigator")?, "serviceWorker")?;
    wait(call(&container, "register", &["/sw.js".into()])?).await?;
    wait(get(&container, "ready")?).await
}

/// This browser's subscription, if it has one.
async fn subscription() -> Result<Option<JsValue>, String> {
    let manager = get(&registration().await?, "pushManager")?;
    let found = wait(call(&manager, "getSubscription", &[])?).await?;
    Ok((!found.is_null() && !found.is_undefined()).then_some(found))
}

pub async fn state() -> PushState {
    let Some(window) = web_sys::window() else {
        return PushState::Unsupported;
    };
    let window: JsValue = window.into();
    if get(&window, "PushManager").is_err() || get(&window, "Notification").is_err() {
        return PushState::Unsupported;
    }
    if web_sys::Notification::permission() == web_sys::NotificationPermission::Denied {
        return PushState::Blocked;
    }
    match subscription().await {
        Ok(Some(subscribed)) => {
            // Handed to the server again: this browser's pushes go to whoever uses it now
            // (another account signed in here, or one whose session ended and took them).
            if give_to_server(&subscribed).await.is_err() {
                return PushState::Off;
            }
            PushState::On
        }
        Ok(None) => PushState::Off,
        Err(_) => PushState::Unsupported,
    }
}

/// `POST /api/push/subscribe` of the subscription's `toJSON()`.
async fn give_to_server(subscribed: &JsValue) -> Result<(), String> {
    let json = JSON::stringify(&call(subscribed, "toJSON", &[])?)
        .map_err(|e| describe(&e))?
        .as_string()
        .unwrap_or_default();
    fetch_json("/api/push/subscribe", Some(&json)).await?;
    Ok(())
}

/// Asks for permission, subscribes this browser, and gives the server its subscription.
pub async fn turn_on() -> Result<(), String> {
    let asked = web_sys::Notification::request_permission().map_err(|e| describe(&e))?;
    let answer = JsFuture::from(asked).await.map_err(|e| describe(&e))?;
    if answer.as_string().as_deref() != Some("granted") {
        return Err(
            "Notifications are not allowed for this site: allow them in the browser's settings."
                .into(),
        );
    }
    let key = fetch_json("/api/push/key", None).await?;
    let key = get(&key, "public_key")?.as_string().ok_or("no key")?;
    let options = Object::new();
    Reflect::set(&options, &"userVisibleOnly".into(), &true.into()).map_err(|e| describe(&e))?;
    let key = base64url(&key)?;
    Reflect::set(&options, &"applicationServerKey".into(), &key).map_err(|e| describe(&e))?;
    let manager = get(&registration().await?, "pushManager")?;
    let subscribed = wait(call(&manager, "subscribe", &[options.into()])?).await?;
    give_to_server(&subscribed).await
}

/// Unsubscribes this browser, and tells the server.
pub async fn turn_off() -> Result<(), String> {
    let Some(subscribed) = subscription().await? else {
        return Ok(());
    };
    let endpoint = get(&subscribed, "endpoint")?
        .as_string()
        .unwrap_or_default();
    wait(call(&subscribed, "unsubscribe", &[])?).await?;
    let body = Object::new();
    Reflect::set(&body, &"endpoint".into(), &endpoint.into()).map_err(|e| describe(&e))?;
    let json = JSON::stringify(&body).map_err(|e| describe(&e))?;
    fetch_json("/api/push/unsubscribe", json.as_string().as_deref()).await?;
    Ok(())
}

/// `GET url` (or `POST` of JSON `body`), answering its JSON, or the server's sentence.
async fn fetch_json(url: &str, body: Option<&str>) -> Result<JsValue, String> {
    let window: JsValue = web_sys::window().ok_or("no window")?.into();
    let init = Object::new();
    if let Some(body) = body {
        let headers = Object::new();
        let set = |target: &Object, key: &str, value: &JsValue| {
            Reflect::set(target, &key.into(), value).map_err(|e| describe(&e))
        };
        set(&headers, "content-type", &"application/json".into())?;
        set(&init, "method", &"POST".into())?;
        set(&init, "headers", &headers.into())?;
        set(&init, "body", &body.into())?;
    }
    let response = wait(call(&window, "fetch", &[url.into(), init.into()])?).await?;
    let ok = get(&response, "ok").ok().and_then(|ok| ok.as_bool()) == Some(true);
    let text = wait(call(&response, "text", &[])?)
        .await?
        .as_string()
        .unwrap_or_default();
    let parsed = JSON::parse(&text).unwrap_or(JsValue::NULL);
    if ok {
        return Ok(parsed);
    }
    Err(get(&parsed, "message")
        .ok()
        .and_then(|message| message.as_string())
        .unwrap_or_else(|| "The server refused.".to_owned()))
}

/// A base64url text's bytes, as the Push API takes a key.
fn base64url(text: &str) -> Result<JsValue, String> {
    let mut standard: String = text
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    while !standard.len().is_multiple_of(4) {
        standard.push('=');
    }
    let window = web_sys::window().ok_or("no window")?;
    let binary = window.atob(&standard).map_err(|e| describe(&e))?;
    let bytes: Vec<u8> = binary.chars().map(|c| c as u8).collect();
    Ok(Uint8Array::from(bytes.as_slice()).into())
}
