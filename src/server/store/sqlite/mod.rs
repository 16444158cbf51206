//! The embedded default: one SQLite file in WAL mode, read through sqlx; the writer keeps a
//! plain connection of its own (rusqlite, `link.rs`).

mod accounts;
mod addresses;
mod empty_rooms;
mod faults;
mod files;
mod jobs;
mod link;
mod memberships;
mod passkeys;
mod pins;
mod point_reader;
mod private_rooms;
mod push_subscriptions;
mod reactions;
mod retention;
mod room_members;
mod rows;
mod search_index;
mod tokens;
mod uploads;
mod writer;
mod writer_thread;
mod writes;

use self::faults::classify;
use self::files::create_private_file;
pub use self::files::{database_file, file_beside};
use self::rows::{to_seq, to_sql, EventRow, MessageRow, LAST_SEQ, MESSAGE_COLUMNS, QUOTE_JOIN};
use super::heavy_reads::off_the_workers_if_heavy;
use super::{
    Appended, CommittedEvents, DeleteRequest, EditRequest, NewMessage, PinRequest, Pinned, Reacted,
    ReactionRequest, Refusal, RoomActivity, Store, StoreError, WriteHealth,
};
use crate::domain::{
    ChatMessage, LogEvent, MessageDelete, MessageEdit, RoomName, SearchCursor, SearchPage,
    SearchQuery, Seq, UserId,
};
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// Connections of their own for searches (`CHAT_MAX_CONCURRENT_SEARCHES` lets fewer run).
const SEARCH_CONNECTIONS: u32 = 4;
/// How long a search may run before it is stopped, unless configured.
const DEFAULT_SEARCH_TIMEOUT: Duration = Duration::from_secs(1);

/// SQLite's default page size, which this database keeps.
const PAGE_SIZE: u64 = 4096;
/// How long a connection waits for another process' lock before its statement fails.
const BUSY_TIMEOUT: Duration = Duration::from_secs(2);

/// Messages in a SQLite file. Every write (append, edit, delete) goes through one writer task
/// that commits whatever is queued in one transaction (see `writer`) on its own connection,
/// durably (`synchronous = FULL`), before anyone is answered. Reads use a pool of other
/// connections, and in WAL mode never wait for the writer.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    writer: writer::Writer,
    /// Searches' own connections: however many searches run, and however long, the pages,
    /// sends and health checks never wait behind them for a connection.
    search_pool: SqlitePool,
    /// The read streams ask most (whether a room is private), on a connection of its own.
    point_reader: Arc<point_reader::PointReader>,
    /// Rooms read as public without messages, while nothing could change that.
    empty_rooms: Arc<empty_rooms::EmptyRooms>,
    /// A search that runs longer is stopped (SQLite's progress handler).
    search_timeout: Duration,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url`, e.g. `sqlite://data/chat.db`, and
    /// brings its schema up to date.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_capped(url, None).await
    }

    /// The same, with the database file allowed to grow to about `max_bytes` at most
    /// (SQLite's `max_page_count`); past it, writes fail as "unavailable" and reads go on.
    pub async fn connect_capped(url: &str, max_bytes: Option<u64>) -> Result<Self, StoreError> {
        // The writer's own connection opens the file itself: a database in memory would
        // be one of its own, and its writes seen by no one.
        if database_file(url).is_none() {
            return Err(StoreError::Failed(
                "the SQLite store needs a file, not memory".into(),
            ));
        }
        let options =
            SqliteConnectOptions::from_str(url).map_err(|e| StoreError::Failed(Box::new(e)))?;
        // The file as sqlx reads the URL (percent-decoded), for the pool and the writer alike.
        let file = options.get_filename().to_path_buf();
        if let Some(dir) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Failed(Box::new(e)))?;
        }
        create_private_file(&file).map_err(|e| StoreError::Failed(Box::new(e)))?;
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(BUSY_TIMEOUT);
        let options = match max_bytes {
            Some(bytes) => options.pragma("max_page_count", (bytes / PAGE_SIZE).max(1).to_string()),
            None => options,
        };
        // A connection to a local file does not go away by itself: no ping (a round trip
        // to SQLite's thread, as dear as the query) before each use.
        let pool = SqlitePoolOptions::new()
            .test_before_acquire(false)
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options.clone())
            .await
            .map_err(classify)?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Failed(Box::new(e)))?;
        let search_pool = SqlitePoolOptions::new()
            .test_before_acquire(false)
            .max_connections(SEARCH_CONNECTIONS)
            .acquire_timeout(Duration::from_secs(5))
            .connect_lazy_with(options.read_only(true));
        let opening = link::Opening {
            path: file,
            max_pages: max_bytes.map(|bytes| (bytes / PAGE_SIZE).max(1)),
            busy_timeout: BUSY_TIMEOUT,
        };
        let point_reader = Arc::new(point_reader::PointReader::spawn(opening.clone()));
        let empty_rooms = Arc::default();
        let writer = writer::Writer::spawn(opening, Arc::clone(&empty_rooms));
        Ok(Self {
            pool,
            writer,
            point_reader,
            empty_rooms,
            search_pool,
            search_timeout: DEFAULT_SEARCH_TIMEOUT,
        })
    }

    /// Stops a search that runs longer than `timeout` (it answers `StoreError::TooSlow`).
    pub fn set_search_timeout(&mut self, timeout: Duration) {
        self.search_timeout = timeout;
    }

    /// Closes every connection; later calls fail as "unavailable".
    pub async fn close(&self) {
        self.writer.close();
        self.point_reader.close();
        self.pool.close().await;
        self.search_pool.close().await;
    }

    async fn messages(
        &self,
        sql: &str,
        room: &RoomName,
        seq: Seq,
        limit: u32,
        viewer: Option<&UserId>,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        let rows: Vec<MessageRow> = sqlx::query_as(sql)
            .bind(room.as_str())
            .bind(to_sql(seq))
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(classify)?;
        let viewer = viewer.cloned();
        let stored_bytes = rows.iter().map(MessageRow::reactions_len).sum();
        let mut messages = off_the_workers_if_heavy(rows, stored_bytes, move |rows| {
            rows.into_iter()
                .map(|row| row.shown_to(viewer.as_ref()))
                .collect::<Result<Vec<_>, _>>()
        })
        .await??;
        messages.sort_by_key(|m| m.seq);
        Ok(messages)
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn deliver_commits_to(&self, delivery: Arc<dyn CommittedEvents>) {
        self.writer.deliver_to(delivery);
    }

    fn write_health(&self) -> Option<&WriteHealth> {
        Some(self.writer.health())
    }

    async fn append(&self, message: NewMessage) -> Result<Result<Appended, Refusal>, StoreError> {
        self.writer.append(message).await
    }

    async fn edit(&self, edit: EditRequest) -> Result<Result<MessageEdit, Refusal>, StoreError> {
        self.writer.edit(edit).await
    }

    async fn delete(
        &self,
        delete: DeleteRequest,
    ) -> Result<Result<MessageDelete, Refusal>, StoreError> {
        self.writer.delete(delete).await
    }

    async fn react(&self, reaction: ReactionRequest) -> Result<Reacted, StoreError> {
        self.writer.react(reaction).await
    }

    async fn pin(&self, pin: PinRequest) -> Result<Pinned, StoreError> {
        self.writer.pin(pin).await
    }

    async fn pins(
        &self,
        room: &RoomName,
        viewer: Option<&UserId>,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        self.pinned(room, viewer).await
    }

    async fn read_after(
        &self,
        room: &RoomName,
        after: Seq,
        limit: u32,
    ) -> Result<Vec<LogEvent>, StoreError> {
        // An event carries its message as sent, without reactions: the reaction events
        // after it rebuild them on the page, and no list is read, however long.
        let columns = MESSAGE_COLUMNS.replace(
            "m.reactions, m.reactions_at",
            "'[]' AS reactions, 0 AS reactions_at",
        );
        let rows: Vec<EventRow> = sqlx::query_as(&format!(
            "SELECT e.seq AS event_seq, e.kind, e.at, e.data, {columns} \
             FROM events e JOIN messages m ON m.room = e.room AND m.seq = e.target {QUOTE_JOIN} \
             WHERE e.room = ? AND e.seq > ? ORDER BY e.seq LIMIT ?"
        ))
        .bind(room.as_str())
        .bind(to_sql(after))
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(classify)?;
        rows.into_iter().map(LogEvent::try_from).collect()
    }

    async fn before(
        &self,
        room: &RoomName,
        before: Seq,
        limit: u32,
        viewer: Option<&UserId>,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m {QUOTE_JOIN} \
             WHERE m.room = ? AND m.seq < ? ORDER BY m.seq DESC LIMIT ?"
        );
        self.messages(&sql, room, before, limit, viewer).await
    }

    async fn after(
        &self,
        room: &RoomName,
        after: Seq,
        limit: u32,
        viewer: Option<&UserId>,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m {QUOTE_JOIN} \
             WHERE m.room = ? AND m.seq > ? ORDER BY m.seq LIMIT ?"
        );
        self.messages(&sql, room, after, limit, viewer).await
    }

    async fn last_seq(&self, room: &RoomName) -> Result<Seq, StoreError> {
        let (seq,): (i64,) = sqlx::query_as(LAST_SEQ)
            .bind(room.as_str())
            .fetch_one(&self.pool)
            .await
            .map_err(classify)?;
        to_seq(seq)
    }

    async fn rooms(&self, limit: u32) -> Result<Vec<RoomActivity>, StoreError> {
        // One row per room, kept current by the writes themselves.
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT room, last_activity, messages FROM rooms r WHERE messages > 0 \
             AND NOT EXISTS (SELECT 1 FROM private_rooms p WHERE p.room = r.room) \
             ORDER BY last_activity DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(classify)?;
        rows.into_iter()
            .filter_map(|(room, last, count)| {
                Some(RoomActivity {
                    room: RoomName::parse(&room).ok()?,
                    last_activity: last,
                    messages: u64::try_from(count).unwrap_or_default(),
                })
            })
            .map(Ok)
            .collect()
    }

    async fn message_counts(&self, rooms: &[RoomName]) -> Result<Vec<u64>, StoreError> {
        let mut counts = Vec::with_capacity(rooms.len());
        for room in rooms {
            let count: Option<i64> =
                sqlx::query_scalar("SELECT messages FROM rooms WHERE room = ?")
                    .bind(room.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(classify)?;
            counts.push(count.and_then(|n| u64::try_from(n).ok()).unwrap_or(0));
        }
        Ok(counts)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(classify)?;
        // Streams open through the point reader: ready only if it answers too.
        self.point_reader
            .read(|conn| conn.query_row("SELECT 1", [], |_| Ok(())))
            .await
    }

    async fn search(
        &self,
        query: &SearchQuery,
        room: Option<&RoomName>,
        reader: &UserId,
        before: Option<&SearchCursor>,
        limit: u32,
    ) -> Result<SearchPage<ChatMessage>, StoreError> {
        let asked = search_index::Asked {
            query,
            room,
            reader,
            before,
        };
        search_index::search(&self.search_pool, asked, limit, self.search_timeout).await
    }
}
