//! Uploading the files a person picks, drops or pastes into the composer: each goes at
//! once to `POST /api/upload` with its progress shown (an `XMLHttpRequest`: `fetch` reports
//! no upload progress), and waits in the composer, ready to send, until the message goes.
//! Taking a file out aborts its upload, or takes it back from the server once uploaded.

use crate::domain::Attachment;
use crate::error::ChatError;
use crate::room::RoomState;
use leptos::prelude::*;
use leptos::wasm_bindgen::closure::Closure;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{File, FileList, FormData, ProgressEvent, XmlHttpRequest};
use std::cell::RefCell;
use std::collections::HashMap;

thread_local! {
    /// The uploads under way, by their composer key, to abort one taken out.
    static UNDER_WAY: RefCell<HashMap<u32, XmlHttpRequest>> = RefCell::new(HashMap::new());
}

/// Starts uploading every file of `files` (a picker's, a drop's or a paste's).
pub fn add_files(state: RoomState, files: Option<FileList>, error: RwSignal<Option<String>>) {
    let Some(files) = files else {
        return;
    };
    for index in 0..files.length() {
        let Some(file) = files.item(index) else {
            continue;
        };
        match state.attaching.add(file.name(), file.size() as u64) {
            Some(key) => upload(state, key, file),
            None => {
                error.set(Some(format!(
                    "A message carries at most {} files.",
                    crate::domain::MAX_ATTACHMENTS
                )));
                return;
            }
        }
    }
}

/// Takes file `key` out of the composer, stopping its upload if it is under way, or taking
/// it back from the server (`DELETE` its address) if it was uploaded: it no longer counts
/// against what one person may hold unsent.
pub fn remove(state: RoomState, key: u32) {
    if let Some(request) = UNDER_WAY.with(|under_way| under_way.borrow_mut().remove(&key)) {
        let _ = request.abort();
    }
    if let Some(uploaded) = state.attaching.remove(key) {
        if let Ok(request) = XmlHttpRequest::new() {
            if request.open("DELETE", &uploaded.url).is_ok() {
                let _ = request.send();
            }
        }
    }
}

fn upload(state: RoomState, key: u32, file: File) {
    let failed = move |reason: String| state.attaching.failed(key, reason);
    let Ok(request) = XmlHttpRequest::new() else {
        return failed("This browser cannot upload files.".into());
    };
    let Ok(form) = FormData::new() else {
        return failed("This browser cannot upload files.".into());
    };
    let _ = form.append_with_str("room", &state.room());
    let _ = form.append_with_blob_and_filename("file", &file, &file.name());
    if request.open("POST", crate::domain::UPLOAD_PATH).is_err() {
        return failed("The upload could not start.".into());
    }
    let on_progress = Closure::<dyn Fn(ProgressEvent)>::new(move |event: ProgressEvent| {
        if event.length_computable() {
            state.attaching.progress(key, event.loaded(), event.total());
        }
    });
    if let Ok(upload) = request.upload() {
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    let finished = request.clone();
    let on_end = Closure::<dyn Fn()>::new(move || {
        UNDER_WAY.with(|under_way| under_way.borrow_mut().remove(&key));
        if !state.attaching.holds(key) {
            return;
        }
        let status = finished.status().unwrap_or(0);
        let text = finished.response_text().ok().flatten().unwrap_or_default();
        match status {
            200 => match serde_json::from_str::<Attachment>(&text) {
                Ok(attachment) => state.attaching.done(key, attachment),
                Err(_) => state
                    .attaching
                    .failed(key, "The server's answer was unreadable.".into()),
            },
            0 => state.attaching.failed(key, ChatError::Network.to_string()),
            _ => state.attaching.failed(key, refusal(&text)),
        }
    });
    request.set_onloadend(Some(on_end.as_ref().unchecked_ref()));
    // Both live as long as the page: an upload ends once.
    on_progress.forget();
    on_end.forget();
    if request.send_with_opt_form_data(Some(&form)).is_err() {
        return failed("The upload could not start.".into());
    }
    UNDER_WAY.with(|under_way| under_way.borrow_mut().insert(key, request));
}

/// The sentence of a refusal (`{"error","message"}`), or a plain one.
fn refusal(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|body| body["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "The file could not be uploaded.".to_owned())
}
