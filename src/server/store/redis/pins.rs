//! Pins in Redis: `pin.lua` writes them; the room's pins zset lists them, the most recently
//! pinned first.

use super::connection::Connection;
use super::decode::{classify, message, Shown};
use super::RedisStore;
use crate::domain::{ChatMessage, Quote, RoomName, Seq, UserId, MAX_PINS_PER_ROOM};
use crate::server::store::log_row::PinData;
use crate::server::store::redis_keys::RoomKeys;
use crate::server::store::{PinRequest, Pinned, Refusal, StoreError};
use redis::{AsyncCommands, Script};
use std::collections::HashMap;

/// `pin.lua`: pins or unpins a message, logging the event when it changes something.
pub(super) struct PinScript(Script);

impl PinScript {
    pub(super) fn new() -> Self {
        Self(Script::new(include_str!("pin.lua")))
    }

    /// The logged event with the message as it reads at the pin (a later edit's own event
    /// follows), `None` when nothing changed, or why it was refused.
    async fn run(
        &self,
        conn: &mut Connection,
        keys: &RoomKeys,
        request: &PinRequest,
        history: usize,
    ) -> Result<Result<Option<(Seq, ChatMessage)>, Refusal>, StoreError> {
        type Hash = HashMap<String, String>;
        let (answer, hash, original): (i64, Hash, Hash) = self
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
            .arg(keys.publish())
            .invoke_async(conn)
            .await
            .map_err(classify)?;
        let seq = match answer {
            0 => return Ok(Ok(None)),
            -1 => return Ok(Err(Refusal::NotFound)),
            -3 => return Ok(Err(Refusal::Deleted)),
            -6 => return Ok(Err(Refusal::TooManyPins)),
            seq => Seq(u64::try_from(seq).map_err(|e| StoreError::Failed(Box::new(e)))?),
        };
        let unreadable =
            || StoreError::Failed("the pin script answered an unreadable message".into());
        let room = &request.room;
        let mut pinned =
            message(room, request.target, hash, &Shown::AsSent).ok_or_else(unreadable)?;
        if let Some(answered) = pinned.reply_to {
            pinned.quote = message(room, answered, original, &Shown::AsSent)
                .map(|original| Quote::of(&original));
        }
        Ok(Ok(Some((seq, pinned))))
    }
}

impl RedisStore {
    pub(super) async fn pin_message(&self, request: PinRequest) -> Result<Pinned, StoreError> {
        let keys = self.room(&request.room);
        let mut conn = self.conn.clone();
        Ok(self
            .pin
            .run(&mut conn, &keys, &request, self.history)
            .await?
            .map(|logged| logged.map(|(seq, message)| request.logged(seq, &message))))
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
