//! One log entry as either store keeps it (its seq, kind name, time and the current state of
//! the message it is about) turned into a `LogEvent`, the same way for both.

use super::StoreError;
use crate::domain::{ChatMessage, EventKind, LogEvent, MessageDelete, MessageEdit, Seq};

/// The log event `seq` of kind `kind` at `at` about `message` (as it is now). Edits carry the
/// message's current text, so a replay never brings back the words of a message deleted
/// since. A kind that is not a log event's is an error: the store holds something this
/// version does not know.
pub(super) fn log_event(
    seq: Seq,
    kind: &str,
    at: i64,
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
        let edit = log_event(Seq(9), "edit", 5, message.clone()).expect("edit");
        assert!(matches!(
            edit,
            LogEvent::Edit(MessageEdit {
                seq: Seq(9),
                target: Seq(3),
                ..
            })
        ));
        let delete = log_event(Seq(9), "delete", 5, message.clone()).expect("delete");
        assert!(matches!(delete, LogEvent::Delete(_)));
        assert!(log_event(Seq(3), "message", 0, message.clone()).is_ok());
        assert!(log_event(Seq(9), "typing", 5, message.clone()).is_err());
        assert!(log_event(Seq(9), "purge", 5, message).is_err());
    }
}
