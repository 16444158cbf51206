//! The write scripts, each behind a typed call: named inputs in, a typed answer out. The
//! order of `KEYS` and `ARGV` each script expects lives here and in the script's header only.

use super::connection::Connection;
use super::decode::{classify, malformed, next_number};
use crate::domain::{index_terms, RoomName, Seq, UserId};
use crate::server::store::redis_keys::Keyspace;
use crate::server::store::{Refusal, StoreError};
use redis::Script;

/// The search terms `body` is filed under, as the scripts take them.
pub(super) fn terms(body: &str) -> String {
    index_terms(body).join(" ")
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

    /// The seq of the logged event and what the global keys still need, or why the change
    /// was refused.
    pub(super) async fn run(
        &self,
        conn: &mut Connection,
        space: &Keyspace,
        input: ChangeInput<'_>,
    ) -> Result<Result<Changed, Refusal>, StoreError> {
        let keys = space.room(input.room);
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
            .arg(if input.as_moderator { "1" } else { "0" })
            .arg(keys.upload_claim_prefix())
            .arg(keys.publish())
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

/// A change `change.lua` stored, and what the global keys still need after it.
#[derive(Debug)]
pub(super) struct Changed {
    /// The seq of its event.
    pub seq: Seq,
    /// The shared index's entries to move (none for a private room's message, or one never
    /// filed there).
    pub refiling: Option<Refiling>,
    /// The uploads a delete removed (their claims marked removed; their records next).
    pub removed_uploads: Vec<String>,
}

fn decode_change(
    answer: Vec<redis::Value>,
    room: &RoomName,
    target: Seq,
) -> Result<Result<Changed, Refusal>, StoreError> {
    let malformed = || malformed("change.lua");
    let mut answer = answer.into_iter();
    let code: i64 = next_number(&mut answer, "change.lua")?;
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
    let [sid, old_terms, new_terms, removed] = rest.as_slice() else {
        return Err(malformed());
    };
    let refiling = if sid.is_empty() {
        None
    } else {
        Some(Refiling {
            member: format!("{room}:{target}"),
            search_id: sid.parse().map_err(|_| malformed())?,
            old_terms: old_terms.clone(),
            new_terms: new_terms.clone(),
        })
    };
    Ok(Ok(Changed {
        seq,
        refiling,
        removed_uploads: removed.split_whitespace().map(str::to_owned).collect(),
    }))
}
