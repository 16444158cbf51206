//! The write scripts, each behind a typed call: named inputs in, a typed answer out. The
//! order of `KEYS` and `ARGV` each script expects lives here and in the script's header only.

use super::decode::{classify, malformed, next_number};
use crate::domain::SearchQuery;
use crate::domain::{index_terms, RoomName, Seq, UserId};
use crate::server::store::redis_keys::{GlobalKeys, Keyspace};
use crate::server::store::{Refusal, StoreError};
use redis::aio::ConnectionManager;
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
