//! The write scripts, each behind a typed call: named inputs in, a typed answer out. The
//! order of `KEYS` and `ARGV` each script expects lives here and in the script's header only.

use super::decode::classify;
use crate::domain::SearchQuery;
use crate::domain::{
    index_terms, Attachment, ClientId, Mention, Nickname, RoomName, Seq, UploadId, UserId,
};
use crate::server::store::redis_keys::{GlobalKeys, Keyspace};
use crate::server::store::{Refusal, StoreError};
use redis::aio::ConnectionManager;
use redis::Script;

/// `append.lua`: stores a message and logs its `message` event with the room's next seq.
pub(super) struct AppendScript(Script);

/// What `append.lua` needs to know of the message.
pub(super) struct AppendInput<'a> {
    pub room: &'a RoomName,
    pub author_id: &'a UserId,
    pub author: &'a Nickname,
    pub body: &'a str,
    pub sent_at: i64,
    pub client_id: Option<&'a ClientId>,
    /// Messages kept per room.
    pub history: usize,
    pub reply_to: Option<Seq>,
    pub mentions: &'a [Mention],
    /// Refuse the author unless the room is public or they are its member.
    pub recheck_access: bool,
    /// Posted by a webhook.
    pub bot: bool,
    /// Its search id, taken from the global counter before the script runs.
    pub search_id: u64,
    /// Its uploads, by id, and the files they are (read from their records).
    pub uploads: &'a [UploadId],
    pub files: &'a [Attachment],
}

/// The search terms `body` is filed under, as the scripts take them.
fn terms(body: &str) -> String {
    index_terms(body).join(" ")
}

/// The search terms of a message's files' names.
fn file_terms(files: &[Attachment]) -> String {
    let names: Vec<&str> = files.iter().map(|file| file.name.as_str()).collect();
    terms(&names.join(" "))
}

/// Every search term a message is filed under: its text's and its files' names'.
pub(super) fn message_terms(body: &str, files: &[Attachment]) -> String {
    format!("{} {}", terms(body), file_terms(files))
        .trim()
        .to_owned()
}

/// What `append.lua` did.
pub(super) enum AppendOutcome {
    /// Stored with this seq; what the node still owes the global keys.
    New(Seq, Unfiled),
    /// This author sent this `client_id` before: the message with this seq.
    Duplicate(Seq),
    /// The room is private and the author not its member (asked with `recheck_access`).
    Refused,
    /// An upload is not the author's, another room's, sent already or removed.
    BadAttachment,
}

impl AppendScript {
    pub(super) fn new() -> Self {
        Self(Script::new(include_str!("append.lua")))
    }

    pub(super) async fn run(
        &self,
        conn: &mut ConnectionManager,
        space: &Keyspace,
        input: AppendInput<'_>,
    ) -> Result<AppendOutcome, StoreError> {
        let (keys, globals) = (space.room(input.room), space.global());
        let file_terms = file_terms(input.files);
        let answer: Vec<redis::Value> = self
            .0
            .key(keys.seq())
            .key(keys.log())
            .key(keys.order())
            .key(keys.client_ids())
            .key(space.counts_of(input.room))
            .key(keys.private())
            .key(keys.members())
            .arg(input.room.as_str())
            .arg(input.author_id.as_str())
            .arg(input.author.as_str())
            .arg(input.body)
            .arg(input.sent_at)
            .arg(input.client_id.map_or("", ClientId::as_str))
            .arg(keys.message_prefix())
            .arg(input.history)
            .arg(keys.channel())
            .arg(
                input
                    .reply_to
                    .map(|seq| seq.get().to_string())
                    .unwrap_or_default(),
            )
            .arg(mentions_json(input.mentions)?)
            .arg(message_terms(input.body, input.files))
            .arg(input.search_id)
            .arg(if input.recheck_access { "1" } else { "" })
            .arg(keys.search_term_prefix())
            .arg(if input.bot { "1" } else { "" })
            .arg(files_json(input.files)?)
            .arg(&file_terms)
            .arg(globals.upload_prefix())
            .arg(
                input
                    .uploads
                    .iter()
                    .map(UploadId::as_str)
                    .collect::<Vec<_>>()
                    .join(" "),
            )
            .arg(globals.uploads_unsent())
            .arg(globals.uploads_removed())
            .arg(globals.uploads_unsent_bytes())
            .invoke_async(conn)
            .await
            .map_err(classify)?;
        decode_append(answer)
    }
}

/// What the global keys still need after `append.lua` stored a message: the script
/// touches only the room's keys (one hash slot in a cluster).
#[derive(Debug, Default)]
pub(super) struct Unfiled {
    /// The room is private: never listed, its messages in its own index (filed already).
    pub private: bool,
    /// Messages the history trim removed that the shared index still lists: each
    /// `room:seq` with the terms it is filed under.
    pub trimmed: Vec<(String, Vec<String>)>,
}

/// The scripts' `'room:seq term term...'` entries: messages they removed that the shared
/// index still lists, each with the terms it is filed under.
pub(super) fn filed_entries(
    entries: impl Iterator<Item = redis::Value>,
) -> Result<Vec<(String, Vec<String>)>, StoreError> {
    Ok(entries
        .map(redis::from_redis_value::<String>)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| classify(e.into()))?
        .into_iter()
        .filter_map(|entry| {
            let mut words = entry.split_whitespace().map(str::to_owned);
            let member = words.next()?;
            Some((member, words.collect()))
        })
        .collect())
}

fn decode_append(answer: Vec<redis::Value>) -> Result<AppendOutcome, StoreError> {
    let malformed = || StoreError::Failed("append.lua: an answer of an unexpected shape".into());
    let mut answer = answer.into_iter();
    let mut number = || -> Result<i64, StoreError> {
        let value = answer.next().ok_or_else(malformed)?;
        redis::from_redis_value(value).map_err(|e| classify(e.into()))
    };
    let (code, seq) = (number()?, number()?);
    let seq = Seq(u64::try_from(seq).map_err(|_| malformed())?);
    Ok(match code {
        1 => {
            let private = number()? == 1;
            let trimmed = filed_entries(answer)?;
            AppendOutcome::New(seq, Unfiled { private, trimmed })
        }
        2 => AppendOutcome::Refused,
        3 => AppendOutcome::BadAttachment,
        _ => AppendOutcome::Duplicate(seq),
    })
}

/// The `attachments` field: JSON, or empty for none.
fn files_json(files: &[Attachment]) -> Result<String, StoreError> {
    if files.is_empty() {
        return Ok(String::new());
    }
    serde_json::to_string(files).map_err(|e| StoreError::Failed(Box::new(e)))
}

/// The `mentions` field: JSON, or empty for none.
fn mentions_json(mentions: &[Mention]) -> Result<String, StoreError> {
    if mentions.is_empty() {
        return Ok(String::new());
    }
    serde_json::to_string(mentions).map_err(|e| StoreError::Failed(Box::new(e)))
}

/// `change.lua`: edits or deletes a message if its author asks, logging the event.
pub(super) struct ChangeScript(Script);

/// Which change.
#[derive(Debug, Clone, Copy)]
pub(super) enum Change<'a> {
    Edit { body: &'a str },
    Delete,
}

/// What `change.lua` needs to know.
pub(super) struct ChangeInput<'a> {
    pub room: &'a RoomName,
    pub target: Seq,
    pub by: &'a UserId,
    pub change: Change<'a>,
    pub at: i64,
    pub history: usize,
    /// `by` moderates the room: anyone's message may be changed.
    pub as_moderator: bool,
}

impl ChangeScript {
    pub(super) fn new() -> Self {
        Self(Script::new(include_str!("change.lua")))
    }

    /// The seq of the logged event and what the shared index still needs, or why the
    /// change was refused.
    pub(super) async fn run(
        &self,
        conn: &mut ConnectionManager,
        space: &Keyspace,
        input: ChangeInput<'_>,
    ) -> Result<Result<(Seq, Option<Refiling>), Refusal>, StoreError> {
        let (keys, globals) = (space.room(input.room), space.global());
        let (kind, body) = match input.change {
            Change::Edit { body } => ("edit", body),
            Change::Delete => ("delete", ""),
        };
        let answer: Vec<redis::Value> = self
            .0
            .key(keys.seq())
            .key(keys.log())
            .key(space.counts_of(input.room))
            .key(keys.pins())
            .arg(keys.message(input.target))
            .arg(input.by.as_str())
            .arg(kind)
            .arg(body)
            .arg(input.at)
            .arg(input.target.get())
            .arg(input.history)
            .arg(input.room.as_str())
            .arg(keys.channel())
            .arg(terms(body))
            .arg(globals.uploads_removed())
            .arg(if input.as_moderator { "1" } else { "0" })
            .arg(globals.upload_prefix())
            .invoke_async(conn)
            .await
            .map_err(classify)?;
        decode_change(answer, input.room, input.target)
    }
}

/// What the index every public room shares needs after an edit or a delete (`change.lua`
/// keeps to the room's keys): the message out of its old terms, into its new ones.
#[derive(Debug)]
pub(super) struct Refiling {
    /// `room:seq`.
    pub member: String,
    pub search_id: u64,
    pub old_terms: String,
    pub new_terms: String,
}

fn decode_change(
    answer: Vec<redis::Value>,
    room: &RoomName,
    target: Seq,
) -> Result<Result<(Seq, Option<Refiling>), Refusal>, StoreError> {
    let malformed = || StoreError::Failed("change.lua: an answer of an unexpected shape".into());
    let mut answer = answer.into_iter();
    let code: i64 = redis::from_redis_value(answer.next().ok_or_else(malformed)?)
        .map_err(|e| classify(e.into()))?;
    let seq = match code {
        -1 => return Ok(Err(Refusal::NotFound)),
        -2 => return Ok(Err(Refusal::NotYours)),
        -3 => return Ok(Err(Refusal::Deleted)),
        seq => Seq(u64::try_from(seq).map_err(|_| malformed())?),
    };
    let rest: Vec<String> = answer
        .map(redis::from_redis_value::<String>)
        .collect::<Result<_, _>>()
        .map_err(|e| classify(e.into()))?;
    let refiling = match rest.as_slice() {
        [sid, old_terms, new_terms] if !sid.is_empty() => Some(Refiling {
            member: format!("{room}:{target}"),
            search_id: sid.parse().map_err(|_| malformed())?,
            old_terms: old_terms.clone(),
            new_terms: new_terms.clone(),
        }),
        _ => None,
    };
    Ok(Ok((seq, refiling)))
}

/// `search.lua`: the members filed under every term, newest first.
pub(super) struct SearchScript(Script);

/// One search index a search walks.
pub(super) struct Index {
    /// What its term keys start with.
    pub term_prefix: String,
    /// Only members that start with this (`room:`), or all.
    pub only: String,
    /// The index public rooms share (where private rooms' messages written before they had
    /// their own are skipped).
    pub shared: bool,
}

/// What `search.lua` found: `room:seq` members, newest first, and the member an older page
/// starts below.
pub(super) struct Found {
    pub members: Vec<String>,
    pub older: Option<String>,
}

/// The most index entries one search call examines in each index.
const EXAMINED_PER_CALL: u32 = 2_000;

impl SearchScript {
    pub(super) fn new() -> Self {
        Self(Script::new(include_str!("search.lua")))
    }

    /// Walks `indexes` (the first may keep only one room's members; the others are private
    /// rooms' own).
    pub(super) async fn run(
        &self,
        conn: &mut ConnectionManager,
        globals: &GlobalKeys<'_>,
        query: &SearchQuery,
        indexes: &[Index],
        before: Option<u64>,
        limit: u32,
    ) -> Result<Found, StoreError> {
        let terms = query.index_terms();
        let mut call = self.0.prepare_invoke();
        call.key(globals.private_rooms());
        for index in indexes {
            for term in &terms {
                call.key(format!("{}{term}", index.term_prefix));
            }
        }
        let first = indexes.first();
        let only = first.map_or("", |index| index.only.as_str());
        let shared = first.is_some_and(|index| index.shared);
        let answer: Vec<String> = call
            .arg(before.map_or_else(|| "+inf".to_owned(), |id| id.to_string()))
            .arg(limit)
            .arg(only)
            .arg(EXAMINED_PER_CALL)
            .arg(terms.len())
            .arg(if shared { "1" } else { "" })
            .invoke_async(conn)
            .await
            .map_err(classify)?;
        let mut answer = answer.into_iter();
        let older = answer.next().filter(|older| !older.is_empty());
        Ok(Found {
            members: answer.collect(),
            older,
        })
    }
}
