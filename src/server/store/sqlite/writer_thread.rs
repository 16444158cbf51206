//! The thread the SQLite writer runs on (see `writer.rs`).

use crate::server::store::WriteHealth;

/// Runs the writer on a thread of its own, with a runtime of its own.
///
/// SQLite answers each statement from its connection's thread, and a task woken from
/// outside the node's runtime waits in the runtime's shared queue. While a fan-out wakes
/// thousands of streams at once, most of them wait in that same queue, so a commit woken
/// there waited for the whole previous fan-out (about 100 ms at 10,000 streams) before the
/// message could be published. On its own runtime the writer is woken at once; it
/// publishes each committed event from there, and the fan-out starts a millisecond after
/// the commit.
///
/// (The runtime is built on that thread: a runtime may not be dropped, as it would be if
/// the thread did not start, inside the node's.)
pub(super) fn on_its_own_thread(
    writer: impl std::future::Future<Output = ()> + Send + 'static,
    health: WriteHealth,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("sqlite-writer".into())
        .spawn(move || {
            match tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
            {
                Ok(runtime) => runtime.block_on(writer),
                Err(error) => {
                    tracing::error!(%error, "could not start the SQLite writer's runtime");
                    health.failing("the writer's runtime could not start");
                }
            }
        })?;
    Ok(())
}
