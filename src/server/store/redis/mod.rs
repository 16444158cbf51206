//! The scale-out store: Redis. Each room's log is a Redis Stream whose entry ids are the
//! seqs; each message's current state is a hash; writes are Lua scripts, so assigning the
//! seq, writing and announcing the event on the room's channel are one atomic step (so
//! every node hears a room's events in seq order). History per room is bounded (`history`).
//!
//! Every key is built in `server/redis_keys.rs` (the table of them is there); each script
//! is called through its typed wrapper in `scripts.rs`.

mod accounts;
mod addresses;
mod append_script;
pub mod batch;
pub mod client;
pub mod connection;
mod decode;
mod filing;
mod memberships;
mod passkeys;
mod pins;
mod private_rooms;
mod push_subscriptions;
mod react_script;
mod reads;
mod retention;
mod room_members;
mod room_roster;
mod scripts;
mod search;
mod search_script;
mod sessions;
mod tokens;
mod upload_records;
mod uploads;

use self::append_script::{message_terms, AppendInput, AppendOutcome, AppendScript};
use self::batch::Batch;
use self::client::RedisClient;
use self::connection::Connection;
use self::decode::{classify, Shown};
use self::filing::Filing;
use self::pins::PinScript;
use self::react_script::ReactScript;
use self::reads::Direction;
use self::scripts::{Change, ChangeInput, ChangeScript};
use self::search_script::SearchScript;
use super::Uploads;
use super::{
    Appended, DeleteRequest, EditRequest, NewMessage, PinRequest, Pinned, Reacted, ReactionRequest,
    Refusal, RoomActivity, Store, StoreError,
};
use crate::domain::{
    ChatMessage, LogEvent, MessageDelete, MessageEdit, Reactions, RoomName, SearchCursor,
    SearchPage, SearchQuery, Seq, UserId,
};
use crate::server::store::redis_keys::{GlobalKeys, Keyspace, RoomKeys};
use async_trait::async_trait;
use redis::{AsyncCommands, Cmd};
use std::fmt;
use std::sync::Arc;

/// Messages in Redis.
#[derive(Clone)]
pub struct RedisStore {
    conn: Connection,
    keys: Keyspace,
    history: usize,
    append: Arc<AppendScript>,
    change: Arc<ChangeScript>,
    react: Arc<ReactScript>,
    pin: Arc<PinScript>,
    search: Arc<SearchScript>,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("keys", &self.keys)
            .field("history", &self.history)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// Connects to `url` (e.g. `redis://127.0.0.1:6379`; in a cluster's layout, its seed
    /// nodes), trusting the system's roots if it is `rediss://`.
    pub async fn connect(url: &str, keys: &Keyspace, history: usize) -> Result<Self, StoreError> {
        let client = client::client(url, &client::RedisTls::default(), keys.is_cluster())?;
        Self::with_client(&client, keys, history).await
    }

    /// Connects through `client` (`client::client`).
    pub async fn with_client(
        client: &RedisClient,
        keys: &Keyspace,
        history: usize,
    ) -> Result<Self, StoreError> {
        let conn = Connection::open(client).await?;
        Ok(Self {
            conn,
            keys: keys.clone(),
            history: history.max(1),
            append: Arc::new(AppendScript::new()),
            change: Arc::new(ChangeScript::new()),
            react: Arc::new(ReactScript::new()),
            pin: Arc::new(PinScript::new()),
            search: Arc::new(SearchScript::new()),
        })
    }

    /// A handle on the same connection, for announcing events.
    pub fn connection(&self) -> Connection {
        self.conn.clone()
    }

    fn room(&self, room: &RoomName) -> RoomKeys {
        self.keys.room(room)
    }

    fn global(&self) -> GlobalKeys<'_> {
        self.keys.global()
    }

    fn person(&self, user: &UserId) -> memberships::PersonKeys {
        memberships::PersonKeys::new(&self.global(), user)
    }

    /// Edits or deletes a message through the change script.
    async fn change(
        &self,
        room: &RoomName,
        target: Seq,
        by: &UserId,
        change: Change<'_>,
        at: i64,
        as_moderator: bool,
    ) -> Result<Result<Seq, Refusal>, StoreError> {
        let mut conn = self.conn.clone();
        let input = ChangeInput {
            room,
            target,
            by,
            change,
            at,
            history: self.history,
            as_moderator,
        };
        let changed = self.change.run(&mut conn, &self.keys, input).await?;
        Ok(match changed {
            Ok(changed) => {
                let globals = self.global();
                if let Some(refiling) = changed.refiling {
                    refiling.write(&self.conn, &globals).await;
                }
                filing::remove_uploads(&self.conn, &globals, &changed.removed_uploads, at).await;
                Ok(changed.seq)
            }
            Err(refusal) => Err(refusal),
        })
    }
}

#[async_trait]
impl Store for RedisStore {
    async fn append(&self, new: NewMessage) -> Result<Result<Appended, Refusal>, StoreError> {
        // What each upload is, read first; the script checks, in the write, that the message
        // may carry it.
        let mut files = Vec::with_capacity(new.attachments.len());
        for id in &new.attachments {
            match self.upload(id).await? {
                Some(upload) => files.push(upload.file),
                None => return Ok(Err(Refusal::BadAttachment)),
            }
        }
        let mut conn = self.conn.clone();
        // Taken before the script, which may touch only the room's keys; a message
        // refused or sent before leaves a gap, which search does not mind.
        let search_id: u64 = conn
            .incr(self.global().search_ids(), 1)
            .await
            .map_err(classify)?;
        let input = AppendInput {
            room: &new.room,
            author_id: &new.author_id,
            author: &new.author,
            body: new.body.as_str(),
            sent_at: new.sent_at,
            client_id: new.client_id.as_ref(),
            history: self.history,
            reply_to: new.reply_to,
            mentions: &new.mentions,
            recheck_access: new.recheck_access,
            bot: new.bot,
            search_id,
            uploads: &new.attachments,
            files: &files,
        };
        let seq = match self.append.run(&mut conn, &self.keys, input).await? {
            AppendOutcome::New(seq, unfiled) => {
                let filing = Filing {
                    room: &new.room,
                    seq,
                    sent_at: new.sent_at,
                    search_id,
                    terms: &message_terms(new.body.as_str(), &files),
                    uploads: &new.attachments,
                    unfiled,
                };
                filing.write(&self.conn, &self.global()).await;
                let quote = match new.reply_to {
                    Some(original) => self.message(&new.room, original).await?,
                    None => None,
                };
                return Ok(Ok(Appended::New(ChatMessage {
                    seq,
                    room: new.room,
                    author_id: new.author_id,
                    author: new.author.as_str().to_owned(),
                    body: new.body.into_inner(),
                    sent_at: new.sent_at,
                    edited_at: None,
                    deleted: false,
                    reply_to: new.reply_to,
                    quote: quote.as_ref().map(crate::domain::Quote::of),
                    reactions: Reactions::default(),
                    reactions_at: Seq::ZERO,
                    pinned: false,
                    mentions: new.mentions,
                    bot: new.bot,
                    attachments: files,
                })));
            }
            AppendOutcome::Duplicate(seq) => {
                let key = self.room(&new.room).message(seq);
                filing::refile(&self.conn, &self.global(), &new.room, seq, &key).await;
                seq
            }
            AppendOutcome::Refused => return Ok(Err(Refusal::Private)),
            AppendOutcome::BadAttachment => return Ok(Err(Refusal::BadAttachment)),
        };
        let mut earlier = self.load(&new.room, &[seq], Shown::To(None)).await?;
        earlier
            .remove(&seq)
            .map(|message| Ok(Appended::Duplicate(message)))
            .ok_or_else(|| StoreError::Failed("a duplicate's message is gone".into()))
    }

    async fn edit(&self, edit: EditRequest) -> Result<Result<MessageEdit, Refusal>, StoreError> {
        let body = edit.body.as_str().to_owned();
        let changed = self
            .change(
                &edit.room,
                edit.target,
                &edit.by,
                Change::Edit { body: &body },
                edit.at,
                false,
            )
            .await?;
        Ok(changed.map(|seq| MessageEdit {
            seq,
            room: edit.room,
            target: edit.target,
            body,
            edited_at: edit.at,
        }))
    }

    async fn delete(
        &self,
        delete: DeleteRequest,
    ) -> Result<Result<MessageDelete, Refusal>, StoreError> {
        let changed = self
            .change(
                &delete.room,
                delete.target,
                &delete.by,
                Change::Delete,
                delete.at,
                delete.as_moderator,
            )
            .await?;
        Ok(changed.map(|seq| MessageDelete {
            seq,
            room: delete.room,
            target: delete.target,
            deleted_at: delete.at,
        }))
    }

    async fn react(&self, reaction: ReactionRequest) -> Result<Reacted, StoreError> {
        let mut conn = self.conn.clone();
        let keys = self.room(&reaction.room);
        self.react
            .run(&mut conn, &keys, &reaction, self.history)
            .await
    }

    async fn pin(&self, pin: PinRequest) -> Result<Pinned, StoreError> {
        self.pin_message(pin).await
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
        self.log_after(room, after, limit).await
    }

    async fn before(
        &self,
        room: &RoomName,
        before: Seq,
        limit: u32,
        viewer: Option<&UserId>,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        self.page(room, Direction::Before(before), limit, viewer)
            .await
    }

    async fn after(
        &self,
        room: &RoomName,
        after: Seq,
        limit: u32,
        viewer: Option<&UserId>,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        self.page(room, Direction::After(after), limit, viewer)
            .await
    }

    async fn last_seq(&self, room: &RoomName) -> Result<Seq, StoreError> {
        let mut conn = self.conn.clone();
        let seq: Option<u64> = conn.get(self.room(room).seq()).await.map_err(classify)?;
        Ok(Seq(seq.unwrap_or(0)))
    }

    async fn rooms(&self, limit: u32) -> Result<Vec<RoomActivity>, StoreError> {
        let mut conn = self.conn.clone();
        let rooms: Vec<(String, i64)> = conn
            .zrevrange_withscores(self.global().rooms(), 0, limit as isize - 1)
            .await
            .map_err(classify)?;
        let rooms: Vec<(RoomName, i64)> = rooms
            .into_iter()
            .filter_map(|(name, last)| Some((RoomName::parse(&name).ok()?, last)))
            .collect();
        let names: Vec<RoomName> = rooms.iter().map(|(room, _)| room.clone()).collect();
        let counts = self.message_counts(&names).await?;
        Ok(rooms
            .into_iter()
            .zip(counts)
            .map(|((room, last_activity), messages)| RoomActivity {
                room,
                last_activity,
                messages,
            })
            .collect())
    }

    async fn message_counts(&self, rooms: &[RoomName]) -> Result<Vec<u64>, StoreError> {
        // Each room's own count: one hash on one Redis, one per room in a cluster.
        let mut pipe = Batch::new();
        for room in rooms {
            pipe.add(Cmd::hget(self.keys.counts_of(room), room.as_str()));
        }
        let counts: Vec<Option<u64>> = pipe.query(&self.conn).await?;
        Ok(counts.into_iter().map(Option::unwrap_or_default).collect())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.conn.clone();
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .map(|_| ())
            .map_err(classify)
    }

    async fn search(
        &self,
        query: &SearchQuery,
        room: Option<&RoomName>,
        reader: &UserId,
        before: Option<&SearchCursor>,
        limit: u32,
    ) -> Result<SearchPage<ChatMessage>, StoreError> {
        self.find(query, room, reader, before, limit).await
    }
}
