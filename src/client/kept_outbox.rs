//! The outbox as the browser keeps it, in IndexedDB: a message is written there before it
//! is sent and removed once the server answered, so what was typed offline survives a
//! reload or a closed browser and goes when the page is opened again. Each message is kept
//! with its room and its author: a page sends only its own room's, and only while the same
//! person is signed in (signing out clears the site's storage).
//!
//! When the browser has no IndexedDB (or refuses it, as some private modes do), the outbox
//! lives in the page only, as before, and leaving the page while a message is on its way
//! asks first.

use crate::domain::UserId;
use crate::room::Pending;
use js_sys::{Array, Promise, JSON};
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    IdbDatabase, IdbObjectStoreParameters, IdbRequest, IdbTransaction, IdbTransactionMode,
};

const DATABASE: &str = "chat-outbox";
const VERSION: u32 = 1;
const OUTBOX: &str = "outbox";

thread_local! {
    static OPEN: RefCell<Option<IdbDatabase>> = const { RefCell::new(None) };
    /// Whether the last use of the store worked: what the unload guard asks.
    static WORKS: Cell<bool> = const { Cell::new(true) };
}

/// One kept message: keyed by its `client_id` (`pending.client_id`; nested rather than
/// flattened, which costs the wasm far more code).
#[derive(Serialize, Deserialize)]
struct Kept {
    room: String,
    author: UserId,
    pending: Pending,
}

/// Whether the browser kept the last message written (and is not keeping one right now).
pub fn works() -> bool {
    WORKS.get()
}

/// Keeps `pending`, written by `author` in `room`, until [`forget`] removes it.
pub async fn keep(room: &str, author: &UserId, pending: &Pending) {
    let kept = Kept {
        room: room.to_owned(),
        author: author.clone(),
        pending: pending.clone(),
    };
    // Until it is kept, leaving would lose it.
    WORKS.set(false);
    let written = async {
        let record = serde_json::to_string(&kept).map_err(|e| JsValue::from(e.to_string()))?;
        let (store, done) = outbox(IdbTransactionMode::Readwrite).await?;
        store.put(&JSON::parse(&record)?)?;
        committed(done).await
    };
    noted("keep a message", written.await);
}

/// Forgets the message `client_id`: the server answered for it.
pub async fn forget(client_id: &str) {
    let removed = async {
        let (store, done) = outbox(IdbTransactionMode::Readwrite).await?;
        store.delete(&client_id.into())?;
        committed(done).await
    };
    // Whether the store keeps what is written is `keep`'s to say.
    if let Err(error) = removed.await {
        leptos::logging::warn!("the browser could not forget a message: {error:?}");
    }
}

/// What `author` wrote in `room` and the server has not answered for, in no order.
pub async fn waiting(room: &str, author: &UserId) -> Vec<Pending> {
    let read = async {
        let (store, _done) = outbox(IdbTransactionMode::Readonly).await?;
        let all = settled(store.get_all()?).await?;
        let kept: Vec<Kept> = Array::from(&all)
            .iter()
            .filter_map(|value| {
                let text = JSON::stringify(&value).ok()?.as_string()?;
                serde_json::from_str(&text).ok()
            })
            .collect();
        Ok::<_, JsValue>(kept)
    };
    match read.await {
        Ok(kept) => {
            WORKS.set(true);
            kept.into_iter()
                .filter(|k| k.room == room && &k.author == author)
                .map(|k| k.pending)
                .collect()
        }
        Err(error) => {
            noted("read the outbox", Err(error));
            Vec::new()
        }
    }
}

fn noted(what: &str, outcome: Result<(), JsValue>) {
    WORKS.set(outcome.is_ok());
    if let Err(error) = outcome {
        leptos::logging::warn!("the browser could not {what}: {error:?}");
    }
}

/// The outbox's object store in a new transaction, and that transaction.
async fn outbox(
    mode: IdbTransactionMode,
) -> Result<(web_sys::IdbObjectStore, IdbTransaction), JsValue> {
    let database = database().await?;
    let transaction = database.transaction_with_str_and_mode(OUTBOX, mode)?;
    Ok((transaction.object_store(OUTBOX)?, transaction))
}

/// The page's one connection to the database, opened (and made) the first time.
async fn database() -> Result<IdbDatabase, JsValue> {
    if let Some(open) = OPEN.with_borrow(Clone::clone) {
        return Ok(open);
    }
    let factory = leptos::prelude::window()
        .indexed_db()?
        .ok_or_else(|| JsValue::from("no IndexedDB"))?;
    let request = factory.open_with_u32(DATABASE, VERSION)?;
    let made = request.clone();
    let upgrade = Closure::once_into_js(move || {
        let made = made.result().ok().and_then(|result| result.dyn_into().ok());
        let Some(database) = made else {
            return;
        };
        let database: IdbDatabase = database;
        let keyed = IdbObjectStoreParameters::new();
        keyed.set_key_path(&"pending.client_id".into());
        if let Err(error) = database.create_object_store_with_optional_parameters(OUTBOX, &keyed) {
            leptos::logging::warn!("could not make the outbox: {error:?}");
        }
    });
    request.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    let database: IdbDatabase = settled(request.into()).await?.dyn_into()?;
    OPEN.set(Some(database.clone()));
    Ok(database)
}

/// The result of `request`, once it succeeded.
async fn settled(request: IdbRequest) -> Result<JsValue, JsValue> {
    let promise = Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(
            Closure::once_into_js(move || resolve.call0(&JsValue::NULL)).unchecked_ref(),
        ));
        request.set_onerror(Some(
            Closure::once_into_js(move || reject.call0(&JsValue::NULL)).unchecked_ref(),
        ));
    });
    JsFuture::from(promise).await.map_err(|_| {
        request
            .error()
            .ok()
            .flatten()
            .map_or(JsValue::NULL, Into::into)
    })?;
    request.result()
}

/// Once `transaction` is committed (durable, as far as the browser promises).
async fn committed(transaction: IdbTransaction) -> Result<(), JsValue> {
    let promise = Promise::new(&mut |resolve, reject| {
        transaction.set_oncomplete(Some(
            Closure::once_into_js(move || resolve.call0(&JsValue::NULL)).unchecked_ref(),
        ));
        // A failed write aborts its transaction (after its `error` event).
        transaction.set_onabort(Some(
            Closure::once_into_js(move || reject.call0(&JsValue::NULL)).unchecked_ref(),
        ));
    });
    JsFuture::from(promise).await.map(drop)
}
