//! Pins in Redis: `pin.lua` writes them; the room's pins zset lists them, the most recently
//! pinned first.

use super::decode::{classify, Shown};
use super::RedisStore;
use crate::domain::{ChatMessage, RoomName, Seq, UserId, MAX_PINS_PER_ROOM};
use crate::server::store::log_row::PinData;
use crate::server::store::redis_keys::RoomKeys;
use crate::server::store::{PinRequest, Pinned, Refusal, StoreError};
use redis::aio::ConnectionManager;
use redis::{AsyncCommands, Script};

/// `pin.lua`: pins or unpins a message, logging the event when it changes something.
pub(super) struct PinScript(Script);

impl PinScript {
    pub(super) fn new() -> Self {
        Self(Script::new(include_str!("pin.lua")))
    }

    /// The seq of the logged event, 0 when nothing changed, or why it was refused.
    async fn run(
        &self,
        conn: &mut ConnectionManager,
        keys: &RoomKeys,
        request: &PinRequest,
        history: usize,
    ) -> Result<Result<Seq, Refusal>, StoreError> {
        let answer: Vec<i64> = self
            .0
            .key(keys.seq())
            .key(keys.log())
            .key(keys.pins())
            .arg(keys.message(request.target))
            .arg(if request.pinned { "1" } else { "0" })
            .arg(request.at)
            .arg(request.target.get())
            .arg(history)
            .arg(keys.channel())
            .arg(MAX_PINS_PER_ROOM)
            .arg(PinData::json(request))
            .arg(keys.message_prefix())
            .invoke_async(conn)
            .await
            .map_err(classify)?;
        match answer.first().copied() {
            Some(-1) => Ok(Err(Refusal::NotFound)),
            Some(-3) => Ok(Err(Refusal::Deleted)),
            Some(-6) => Ok(Err(Refusal::TooManyPins)),
            Some(seq) => u64::try_from(seq)
                .map(|seq| Ok(Seq(seq)))
                .map_err(|e| StoreError::Failed(Box::new(e))),
            None => Err(StoreError::Failed(
                "empty answer from the pin script".into(),
            )),
        }
    }
}

impl RedisStore {
    pub(super) async fn pin_message(&self, request: PinRequest) -> Result<Pinned, StoreError> {
        let keys = self.room(&request.room);
        let mut conn = self.conn.clone();
        let seq = match self
            .pin
            .run(&mut conn, &keys, &request, self.history)
            .await?
        {
            Ok(Seq::ZERO) => return Ok(Ok(None)),
            Ok(seq) => seq,
            Err(refusal) => return Ok(Err(refusal)),
        };
        // The event carries the message as it reads now (a later edit's own event follows).
        let mut found = self
            .load(&request.room, &[request.target], Shown::AsSent)
            .await?;
        let message = found
            .remove(&request.target)
            .ok_or_else(|| StoreError::Failed("a pinned message is gone".into()))?;
        Ok(Ok(Some(request.logged(seq, &message))))
    }

    /// The room's pinned messages, the most recently pinned first; a message the bounded
    /// history trimmed away is left out.
    pub(super) async fn pinned(
        &self,
        room: &RoomName,
        viewer: Option<&UserId>,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        let mut conn = self.conn.clone();
        let seqs: Vec<u64> = conn
            .zrevrange(self.room(room).pins(), 0, MAX_PINS_PER_ROOM as isize - 1)
            .await
            .map_err(classify)?;
        let seqs: Vec<Seq> = seqs.into_iter().map(Seq).collect();
        let mut messages = self.load(room, &seqs, Shown::To(viewer.cloned())).await?;
        Ok(seqs
            .iter()
            .filter_map(|seq| messages.remove(seq))
            .filter(|message| message.pinned && !message.deleted)
            .collect())
    }
}
