//! The tabs' `BroadcastChannel`: each message a [`TabMessage`] as JSON. A tab never
//! receives its own messages.

use crate::feed::TabMessage;
use leptos::wasm_bindgen::closure::Closure;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{BroadcastChannel, MessageEvent};

const NAME: &str = "chat-feed";

pub struct Channel {
    inner: BroadcastChannel,
    _listener: Closure<dyn FnMut(MessageEvent)>,
}

impl Channel {
    /// The channel, or `None` where the browser has none.
    pub fn open(on_message: impl Fn(TabMessage) + 'static) -> Option<Self> {
        let inner = BroadcastChannel::new(NAME).ok()?;
        let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(message) = event
                .data()
                .as_string()
                .and_then(|json| TabMessage::decode(&json))
            {
                on_message(message);
            }
        });
        inner.set_onmessage(Some(listener.as_ref().unchecked_ref()));
        Some(Self {
            inner,
            _listener: listener,
        })
    }

    pub fn post(&self, message: &TabMessage) {
        let json = message.encode();
        if let Err(error) = self.inner.post_message(&json.into()) {
            leptos::logging::warn!("could not tell the other tabs: {error:?}");
        }
    }
}
