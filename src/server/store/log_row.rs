//! One log entry as either store keeps it (its seq, kind name, time, its own data for a
//! reaction or a pin, and the current state of the message it is about) turned into a
//! `LogEvent`, the same way for both.

use super::PinRequest;
use super::StoreError;
use crate::domain::{
    ChatMessage, EventKind, LogEvent, MessageDelete, MessageEdit, OnlineUser, Reaction, ReactionOp,
    Seq,
};
use serde::{Deserialize, Serialize};

/// What a `reaction` entry keeps of its own (the rest is the entry's seq, time and target).
#[derive(Serialize, Deserialize)]
pub(super) struct ReactionData {
    pub emoji: String,
    pub user: OnlineUser,
    pub op: ReactionOp,
}

impl ReactionData {
    /// The stored form of `reaction`'s own data.
    pub(super) fn json(reaction: &Reaction) -> String {
        serde_json::json!({"emoji": reaction.emoji, "user": reaction.user, "op": reaction.op})
            .to_string()
    }
}

/// What a `pin` entry keeps of its own.
#[derive(Serialize, Deserialize)]
pub(super) struct PinData {
    pub pinned: bool,
    pub by: OnlineUser,
}

impl PinData {
    /// The stored form of `request`'s own data.
    pub(super) fn json(request: &PinRequest) -> String {
        serde_json::json!({"pinned": request.pinned, "by": request.by}).to_string()
    }
}

/// The entry's own data, which a reaction or pin cannot do without.
fn own_data<T: serde::de::DeserializeOwned>(data: Option<&str>) -> Result<T, StoreError> {
    data.ok_or("a log entry without its data")
        .map_err(|e| StoreError::Failed(e.into()))
        .and_then(|d| serde_json::from_str(d).map_err(|e| StoreError::Failed(e.into())))
}

/// The log event `seq` of kind `kind` at `at` about `message` (as it is now). Edits carry the
/// message's current text, so a replay never brings back the words of a message deleted
/// since. A kind that is not a log event's is an error: the store holds something this
/// version does not know; so is a reaction without its data.
pub(super) fn log_event(
    seq: Seq,
    kind: &str,
    at: i64,
    data: Option<&str>,
    message: ChatMessage,
) -> Result<LogEvent, StoreError> {
    Ok(match EventKind::from_name(kind) {
        Some(EventKind::Message) => LogEvent::Message(message),
        Some(EventKind::Edit) => LogEvent::Edit(MessageEdit {
            seq,
            room: message.room,
            target: message.seq,
            body: message.body,
            edited_at: at,
        }),
        Some(EventKind::Delete) => LogEvent::Delete(MessageDelete {
            seq,
            room: message.room,
            target: message.seq,
            deleted_at: at,
        }),
        Some(EventKind::Reaction) => {
            let data: ReactionData = own_data(data)?;
            LogEvent::Reaction(Reaction {
                seq,
                room: message.room,
                target: message.seq,
                emoji: data.emoji,
                user: data.user,
                op: data.op,
                at,
            })
        }
        Some(EventKind::Pin) => {
            let data: PinData = own_data(data)?;
            let request = PinRequest {
                room: message.room.clone(),
                target: message.seq,
                by: data.by,
                pinned: data.pinned,
                at,
            };
            LogEvent::Pin(request.logged(seq, &message))
        }
        _ => {
            return Err(StoreError::Failed(
                format!("unknown log event kind {kind:?}").into(),
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_becomes_its_event_and_an_unknown_one_is_an_error() {
        let message = ChatMessage::sample(3);
        let edit = log_event(Seq(9), "edit", 5, None, message.clone()).expect("edit");
        assert!(matches!(
            edit,
            LogEvent::Edit(MessageEdit {
                seq: Seq(9),
                target: Seq(3),
                ..
            })
        ));
        let delete = log_event(Seq(9), "delete", 5, None, message.clone()).expect("delete");
        assert!(matches!(delete, LogEvent::Delete(_)));
        assert!(log_event(Seq(3), "message", 0, None, message.clone()).is_ok());
        assert!(log_event(Seq(9), "typing", 5, None, message.clone()).is_err());
        assert!(log_event(Seq(9), "purge", 5, None, message.clone()).is_err());
        assert!(
            log_event(Seq(9), "reaction", 5, None, message.clone()).is_err(),
            "a reaction needs its data"
        );
        assert!(log_event(Seq(9), "pin", 5, None, message.clone()).is_err());
        let data = r#"{"pinned":true,"by":{"id":"00000000000000000000000000000001","name":"bob"}}"#;
        let pin = log_event(Seq(9), "pin", 5, Some(data), message.clone()).expect("pin");
        assert!(matches!(
            &pin,
            LogEvent::Pin(crate::domain::Pin { seq: Seq(9), target: Seq(3), pinned: true, message: Some(m), .. })
                if m.body == message.body && m.pinned
        ));
        let data = r#"{"emoji":"👍","user":{"id":"00000000000000000000000000000001","name":"bob"},"op":"add"}"#;
        let reaction = log_event(Seq(9), "reaction", 5, Some(data), message).expect("reaction");
        assert!(matches!(
            reaction,
            LogEvent::Reaction(Reaction {
                seq: Seq(9),
                target: Seq(3),
                op: ReactionOp::Add,
                ..
            })
        ));
    }
}
