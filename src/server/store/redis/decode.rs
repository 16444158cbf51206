//! Reading Redis replies into domain values, and Redis errors into store errors.

use crate::domain::{ChatMessage, Reactions, RoomName, Seq, UserId};
use crate::server::store::StoreError;
use std::collections::HashMap;

/// Whose view of a message's reactions to read from its hash.
#[derive(Debug, Clone)]
pub(super) enum Shown {
    /// None: the message as it was sent (a log event's, or a quoted original).
    AsSent,
    /// What this viewer (anyone, for `None`) is shown.
    To(Option<UserId>),
}

/// A message from its hash; `None` for a missing (trimmed) or unreadable one. A reply's
/// quote is not in the hash: `load` adds it.
pub(super) fn message(
    room: &RoomName,
    seq: Seq,
    hash: HashMap<String, String>,
    shown: &Shown,
) -> Option<ChatMessage> {
    let (reactions, reactions_at) = match (shown, hash.get("reactions")) {
        (Shown::To(viewer), Some(json)) => (
            Reactions::from_stored_json(json, viewer.as_ref()).ok()?,
            // Reacted to before the field existed: its seq counts as unknown (zero).
            Seq(hash
                .get("reactions_at")
                .and_then(|at| at.parse().ok())
                .unwrap_or(0)),
        ),
        _ => (Reactions::default(), Seq::ZERO),
    };
    Some(ChatMessage {
        seq,
        room: room.clone(),
        author_id: UserId::parse(hash.get("author_id")?)?,
        author: hash.get("author")?.clone(),
        body: hash.get("body")?.clone(),
        sent_at: hash.get("sent_at")?.parse().ok()?,
        edited_at: hash.get("edited_at").and_then(|at| at.parse().ok()),
        deleted: hash.get("deleted").is_some_and(|d| d == "1"),
        reply_to: hash
            .get("reply_to")
            .and_then(|seq| seq.parse().ok())
            .map(Seq),
        quote: None,
        reactions,
        reactions_at,
        mentions: match hash.get("mentions") {
            Some(json) => serde_json::from_str(json).ok()?,
            None => Vec::new(),
        },
        bot: hash.get("bot").is_some_and(|bot| bot == "1"),
        pinned: hash.get("pinned").is_some_and(|seq| !seq.is_empty()),
        attachments: match hash.get("attachments").filter(|json| !json.is_empty()) {
            Some(json) => serde_json::from_str(json).ok()?,
            None => Vec::new(),
        },
    })
}

/// Connection trouble, or a Redis still loading its data after a restart, means "try again
/// later"; anything else is a failure.
pub(super) fn classify(e: redis::RedisError) -> StoreError {
    use redis::ServerErrorKind::{
        Ask, BusyLoading, ClusterDown, MasterDown, Moved, ReadOnly, TryAgain,
    };
    // Loading its data, or a cluster between primaries (a failover, slots moving, a
    // redirection the client ran out of retries following): soon again.
    let passing = matches!(
        e.kind(),
        redis::ErrorKind::Server(
            BusyLoading | ClusterDown | MasterDown | TryAgain | ReadOnly | Moved | Ask
        )
    );
    if passing
        || e.kind() == redis::ErrorKind::ClusterConnectionNotFound
        || e.is_io_error()
        || e.is_connection_refusal()
        || e.is_timeout()
        || e.is_connection_dropped()
    {
        StoreError::Unavailable(Box::new(e))
    } else {
        StoreError::Failed(Box::new(e))
    }
}

/// How many bytes of stored reactions `hashes` hold.
pub(super) fn reactions_len(hashes: &[HashMap<String, String>]) -> usize {
    hashes
        .iter()
        .filter_map(|hash| hash.get("reactions"))
        .map(String::len)
        .sum()
}

/// A script's answer was not of the shape its header promises.
pub(super) fn malformed(script: &str) -> StoreError {
    StoreError::Failed(format!("{script}: an answer of an unexpected shape").into())
}

/// The next value of a script's answer, as a number.
pub(super) fn next_number<T: redis::FromRedisValue>(
    answer: &mut impl Iterator<Item = redis::Value>,
    script: &str,
) -> Result<T, StoreError> {
    let value = answer.next().ok_or_else(|| malformed(script))?;
    redis::from_redis_value(value).map_err(|e| classify(e.into()))
}
