//! The browser's half of the passkey ceremonies: the server's options go to
//! `navigator.credentials` (through `PublicKeyCredential.parse…OptionsFromJSON`), and the
//! credential comes back as its `toJSON()`, as text for the server. Then the server
//! functions finish the ceremony; the account page calls these.

use crate::api::{
    passkey_register_finish, passkey_register_start, passkey_sign_in_finish, passkey_sign_in_start,
    AccountInfo, PasskeyInfo,
};
use js_sys::{Function, Object, Promise, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Makes a passkey on this device and adds it to the account, called `name` (given the
/// account's current password).
pub async fn add(name: String, password: String) -> Result<PasskeyInfo, String> {
    let begun = passkey_register_start(password)
        .await
        .map_err(|e| e.to_string())?;
    let credential = ask("create", "parseCreationOptionsFromJSON", &begun.options).await?;
    passkey_register_finish(begun.ceremony, credential, name)
        .await
        .map_err(|e| e.to_string())
}

/// Signs this browser in to `name`'s account with a passkey it holds.
pub async fn sign_in(name: String) -> Result<AccountInfo, String> {
    let begun = passkey_sign_in_start(name)
        .await
        .map_err(|e| e.to_string())?;
    let credential = ask("get", "parseRequestOptionsFromJSON", &begun.options).await?;
    passkey_sign_in_finish(begun.ceremony, credential)
        .await
        .map_err(|e| e.to_string())
}

/// `navigator.credentials[method]({publicKey: PublicKeyCredential[parse](options)})`, and
/// the credential it gives, as JSON text.
async fn ask(method: &str, parse: &str, options: &str) -> Result<String, String> {
    let unsupported = || "This browser cannot use passkeys.".to_owned();
    let window: JsValue = web_sys::window().ok_or_else(unsupported)?.into();
    let class = Reflect::get(&window, &"PublicKeyCredential".into()).map_err(|_| unsupported())?;
    let parse: Function = Reflect::get(&class, &parse.into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(unsupported)?;
    let options =
        JSON::parse(options).map_err(|_| "The server's options were broken.".to_owned())?;
    let public_key = parse.call1(&class, &options).map_err(describe)?;
    let request = Object::new();
    Reflect::set(&request, &"publicKey".into(), &public_key).map_err(describe)?;
    let navigator = Reflect::get(&window, &"navigator".into()).map_err(describe)?;
    let credentials = Reflect::get(&navigator, &"credentials".into()).map_err(describe)?;
    let call: Function = Reflect::get(&credentials, &method.into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(unsupported)?;
    let promise: Promise = call
        .call1(&credentials, &request)
        .map_err(describe)?
        .dyn_into()
        .map_err(describe)?;
    let credential = JsFuture::from(promise).await.map_err(describe)?;
    if credential.is_null() {
        return Err("No passkey was chosen.".to_owned());
    }
    let to_json: Function = Reflect::get(&credential, &"toJSON".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(unsupported)?;
    let json = to_json.call0(&credential).map_err(describe)?;
    JSON::stringify(&json).map(String::from).map_err(describe)
}

/// A browser's refusal, in its own words ("The operation either timed out or was not
/// allowed.").
fn describe(error: JsValue) -> String {
    Reflect::get(&error, &"message".into())
        .ok()
        .and_then(|message| message.as_string())
        .unwrap_or_else(|| "The passkey did not work.".to_owned())
}
