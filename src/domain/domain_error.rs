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
    #[error("Display names cannot contain text-direction controls (they can make a name or the text around it read backwards).")]
    NameDirectionControl,
    #[error("A display name needs at least one visible character.")]
    NameInvisible,
    #[error("A reaction is one emoji.")]
    BadEmoji,
    #[error("Notifications are one of: every, mentions, nothing.")]
    BadNotifyLevel,
    #[error("Search for at most {max} characters.")]
    SearchTooLong { max: usize },
    #[error("Search for at least one word of {min} or more letters or digits.")]
    SearchEmpty { min: usize },
    #[error("Search for at most {max} words.")]
    SearchTooManyWords { max: usize },
    #[error("This page of results cannot be found any more: search again.")]
    BadSearchCursor,
    #[error("mentions is a comma-separated list of at most {max} user ids.")]
    BadMentions { max: usize },
    #[error("Names starting with \"guest-\" are kept for guests: choose another.")]
    GuestName,
    #[error("Passwords are at least {min} characters long.")]
    PasswordTooShort { min: usize },
    #[error("Passwords are at most {max} characters long.")]
    PasswordTooLong { max: usize },
    #[error("Roles are admin or member.")]
    BadRole,
    #[error("Names starting with \"dm-\" are kept for direct messages: choose another.")]
    DirectRoomName,
    #[error("A direct message needs someone else.")]
    DirectToYourself,
    #[error("attachments is a comma-separated list of at most {max} upload ids.")]
    BadAttachments { max: usize },
}

/// Characters that change the direction of the text around them (bidi embeddings,
/// overrides, isolates and marks). In a name they can disguise it or reverse what follows.
pub(crate) fn is_direction_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that take no visible space: zero-width spaces and joiners, word joiners and
/// invisible operators, the byte-order mark, fillers that render blank, the soft hyphen.
pub(crate) fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || is_direction_control(c)
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200D}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
        )
}

/// The replacement character is what a lossy decoder leaves where bytes were not UTF-8;
/// nobody types it on purpose, so seeing it means the client sent broken text.
pub(crate) const REPLACEMENT_CHARACTER: char = '\u{FFFD}';
