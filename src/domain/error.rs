use serde::{Deserialize, Serialize};

/// Why an input was refused. Every message is written for the person who typed the input,
/// so the UI can show it as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum DomainError {
    #[error("Write something before sending.")]
    EmptyMessage,
    #[error("Messages can be at most {max} characters long; this one has {len}.")]
    MessageTooLong { len: usize, max: usize },
    #[error("Messages cannot contain control characters (only line breaks and tabs are allowed).")]
    ControlCharacter,
    #[error("The text contains bytes that are not valid UTF-8 text.")]
    InvalidUtf8,
    #[error("Room names are 1 to {max} characters: lowercase letters a-z, digits and '-'.")]
    BadRoomName { max: usize },
    #[error("client_id must be 1 to {max} characters of A-Z, a-z, 0-9, '-' and '_'.")]
    BadClientId { max: usize },
    #[error("Choose a display name.")]
    EmptyName,
    #[error("Display names can be at most {max} characters long.")]
    NameTooLong { max: usize },
    #[error("Display names must be on one line, without control characters.")]
    NameControlCharacter,
}

/// The replacement character is what a lossy decoder leaves where bytes were not UTF-8;
/// nobody types it on purpose, so seeing it means the client sent broken text.
pub(crate) const REPLACEMENT_CHARACTER: char = '\u{FFFD}';
