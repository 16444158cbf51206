//! The rules of the browser-wide feed, apart from the browser: one tab (the leader) holds
//! the one stream of the whole site and passes each event to the other tabs. What is
//! decided here (which rooms the stream carries and from which cursor, when a stream is
//! dead or has missed something, how long to wait before reconnecting, what tabs say to
//! each other) is unit-tested on the server's side of the build; `client::feed` does it
//! with the browser's `EventSource`, `BroadcastChannel` and Web Locks.

mod backoff;
mod liveness;
mod stream_plan;
mod tab_message;

pub use backoff::Backoff;
pub use liveness::Liveness;
pub use stream_plan::{StreamPlan, MAX_ROOMS};
pub use tab_message::{Mark, TabMessage};
