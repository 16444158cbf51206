//! `append.lua` behind a typed call: a message stored and logged with the room's next seq,
//! and what the node still owes the global keys (`filing.rs`).

use super::connection::Connection;
use super::decode::{classify, malformed, next_number};
use super::scripts::terms;
use crate::domain::{Attachment, ClientId, Mention, Nickname, RoomName, Seq, UploadId, UserId};
use crate::server::store::redis_keys::Keyspace;
use crate::server::store::StoreError;
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
        conn: &mut Connection,
        space: &Keyspace,
        input: AppendInput<'_>,
    ) -> Result<AppendOutcome, StoreError> {
        let keys = space.room(input.room);
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
            .arg(keys.upload_claim_prefix())
            .arg(
                input
                    .uploads
                    .iter()
                    .map(UploadId::as_str)
                    .collect::<Vec<_>>()
                    .join(" "),
            )
            .arg(keys.publish())
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
    /// The uploads of the messages the trim removed (their claims marked removed).
    pub removed_uploads: Vec<String>,
}

/// Space-separated ids, as the scripts answer them.
pub(super) fn ids(value: Option<redis::Value>, script: &str) -> Result<Vec<String>, StoreError> {
    let value = value.ok_or_else(|| malformed(script))?;
    let ids: String = redis::from_redis_value(value).map_err(|e| classify(e.into()))?;
    Ok(ids.split_whitespace().map(str::to_owned).collect())
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
    let mut answer = answer.into_iter();
    let mut number = || next_number::<i64>(&mut answer, "append.lua");
    let (code, seq) = (number()?, number()?);
    let seq = Seq(u64::try_from(seq).map_err(|_| malformed("append.lua"))?);
    Ok(match code {
        1 => {
            let private = number()? == 1;
            let removed_uploads = ids(answer.next(), "append.lua")?;
            let trimmed = filed_entries(answer)?;
            AppendOutcome::New(
                seq,
                Unfiled {
                    private,
                    trimmed,
                    removed_uploads,
                },
            )
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
