//! Everything that runs only on the server: HTTP routes, the SSE feed, fan-out, storage.

pub mod api_error;
pub mod browser_stream;
pub mod config;
pub mod drain;
pub mod fanout;
pub mod health;
pub mod hub;
pub mod join;
pub mod limits;
pub mod origin;
pub mod presence;
pub mod redis_keys;
pub mod relay;
pub mod request_body;
pub mod room_window;
pub mod security_headers;
pub mod serve;
pub mod server_fn_status;
pub mod session;
pub mod single_flight;
pub mod sse;
pub mod sse_frame;
pub mod state;
pub mod store;
pub mod subscription;
pub mod telemetry;
