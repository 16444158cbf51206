//! Integration tests: each starts the real server on port 0 with a fresh SQLite file and
//! talks to it over HTTP, as a browser or a script would. `TEST_LOG=1` shows the server log.

mod authorization;
mod backup;
mod bad_input;
mod binary;
mod browser_stream;
mod delivery;
mod deploy;
mod durability;
mod durability_redis;
mod export;
mod helpers;
mod history;
mod identity;
mod joined;
mod lag;
mod limits;
mod mentions;
mod nodes;
mod nodes_presence;
mod observability;
mod pages;
mod permalinks;
mod persistence;
mod presence;
mod reactions;
mod redis_server;
mod redis_store;
mod resume;
mod search;
mod shutdown;
mod slow_readers;
mod sse_stream;
mod store;
mod timeouts;
mod tls;
