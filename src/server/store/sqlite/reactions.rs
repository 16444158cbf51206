//! The reaction write, in the writer's transaction: the message's reaction sets change by
//! the domain's rules (`ReactionSets`), and the change is logged as a `reaction` event.

use super::link::Failure;
use super::rows::{corrupt, to_sql};
use super::writes::log_event;
use crate::domain::{ReactionOp, ReactionSets, Seq};
use crate::server::store::log_row::ReactionData;
use crate::server::store::{Reacted, ReactionRequest, Refusal};
use rusqlite::{params, Connection, OptionalExtension};

/// Adds or takes back a reaction; logs it only when it changes the message's reactions.
pub(super) fn react(conn: &Connection, request: &ReactionRequest) -> Result<Reacted, Failure> {
    let found: Option<(bool, String)> = conn
        .prepare_cached("SELECT deleted, reactions FROM messages WHERE room = ?1 AND seq = ?2")?
        .query_row(
            params![request.room.as_str(), to_sql(request.target)],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let mut reactions: ReactionSets = match found {
        None => return Ok(Err(Refusal::NotFound)),
        Some((true, _)) => return Ok(Err(Refusal::Deleted)),
        Some((false, json)) => serde_json::from_str(&json).map_err(corrupt)?,
    };
    let changed = match request.op {
        ReactionOp::Add => match reactions.add(&request.emoji, &request.by) {
            Ok(added) => added,
            Err(limit) => return Ok(Err(Refusal::TooMany(limit))),
        },
        ReactionOp::Remove => reactions.remove(request.emoji.as_str(), &request.by.id),
    };
    if !changed {
        return Ok(Ok(None));
    }
    let seq = log_event(
        conn,
        &request.room,
        "reaction",
        Some(request.target),
        request.at,
        Some(ReactionData::json(&request.logged(Seq::ZERO))),
    )?;
    conn.prepare_cached(
        "UPDATE messages SET reactions = ?1, reactions_at = ?2 WHERE room = ?3 AND seq = ?4",
    )?
    .execute(params![
        serde_json::to_string(&reactions).map_err(corrupt)?,
        to_sql(seq),
        request.room.as_str(),
        to_sql(request.target)
    ])?;
    Ok(Ok(Some(request.logged(seq))))
}
