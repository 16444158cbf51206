//! `react.lua` behind a typed call: a reaction added or taken back, logged when it changes
//! something.

use super::connection::Connection;
use super::decode::classify;
use crate::domain::{ReactionLimit, Seq, MAX_EMOJI_PER_MESSAGE, MAX_REACTIONS_PER_PERSON};
use crate::server::store::log_row::ReactionData;
use crate::server::store::redis_keys::RoomKeys;
use crate::server::store::{Reacted, ReactionRequest, Refusal, StoreError};
use redis::Script;

/// `react.lua`: adds or takes back a reaction, logging the event when it changes something.
pub(super) struct ReactScript(Script);

impl ReactScript {
    pub(super) fn new() -> Self {
        Self(Script::new(include_str!("react.lua")))
    }

    pub(super) async fn run(
        &self,
        conn: &mut Connection,
        keys: &RoomKeys,
        request: &ReactionRequest,
        history: usize,
    ) -> Result<Reacted, StoreError> {
        let answer: Vec<i64> = self
            .0
            .key(keys.seq())
            .key(keys.log())
            .arg(keys.message(request.target))
            .arg(request.emoji.as_str())
            .arg(request.by.id.as_str())
            .arg(request.by.name.as_str())
            .arg(request.op.as_str())
            .arg(request.at)
            .arg(request.target.get())
            .arg(history)
            .arg(keys.channel())
            .arg(MAX_EMOJI_PER_MESSAGE)
            .arg(MAX_REACTIONS_PER_PERSON)
            .arg(ReactionData::json(&request.logged(Seq::ZERO)))
            .arg(keys.publish())
            .invoke_async(conn)
            .await
            .map_err(classify)?;
        match answer.first().copied() {
            Some(0) => Ok(Ok(None)),
            Some(-1) => Ok(Err(Refusal::NotFound)),
            Some(-3) => Ok(Err(Refusal::Deleted)),
            Some(-4) => Ok(Err(Refusal::TooMany(ReactionLimit::TooManyEmoji))),
            Some(-5) => Ok(Err(Refusal::TooMany(ReactionLimit::TooManyOfYours))),
            Some(seq) => u64::try_from(seq)
                .map(|seq| Ok(Some(request.logged(Seq(seq)))))
                .map_err(|e| StoreError::Failed(Box::new(e))),
            None => Err(StoreError::Failed(
                "empty answer from the reaction script".into(),
            )),
        }
    }
}
