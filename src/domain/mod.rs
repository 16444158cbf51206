//! Types shared by the server and the browser. Every input crosses one of these `parse`
//! functions on the server; the browser may use the same rules to pre-check.

mod account;
mod attachment;
mod audit;
pub mod calendar;
mod client_id;
mod domain_error;
mod ephemeral;
mod feed_event;
mod hex_id;
mod links;
mod log_event;
pub mod markup;
mod mention;
mod message;
mod message_body;
mod nickname;
mod notify_level;
mod pin;
mod presence;
mod reaction;
mod reaction_sets;
mod reaction_summary;
mod reply;
mod room_name;
mod search;
mod search_cursor;
mod seq;
mod user_id;

pub use account::{AccountName, Password, Role};
pub use attachment::{
    clean_file_name, human_size, parse_attachment_ids, shown_inline, Attachment, UploadId,
    MAX_ATTACHMENTS, MAX_FILE_NAME_CHARS, UPLOAD_PATH,
};
pub use audit::AuditEntry;
pub use client_id::ClientId;
pub use domain_error::DomainError;
pub use ephemeral::{OnlineUser, Typing};
pub use feed_event::{EventKind, FeedEvent, Heartbeat, ReadMark, Reset};
pub use log_event::LogEvent;
pub use mention::{
    mentioned_in, parse_mentioned_ids, segments, Mention, MentionSegment, MAX_MENTIONS,
};
pub use message::{ChatMessage, MessageDelete, MessageEdit};
pub use message_body::MessageBody;
pub use nickname::Nickname;
pub use notify_level::NotifyLevel;
pub use pin::{Pin, MAX_PINS_PER_ROOM};
pub use presence::{Presence, PresenceChange, LISTED};
pub use reaction::{
    Emoji, Reaction, ReactionOp, MAX_EMOJI_PER_MESSAGE, MAX_REACTIONS_PER_PERSON, QUICK_REACTIONS,
};
pub use reaction_sets::{ReactionLimit, ReactionSet, ReactionSets};
pub use reaction_summary::{ReactionGroup, Reactions, LISTED_PER_EMOJI};
pub use reply::{excerpt, Quote, EXCERPT_CHARS};
pub use room_name::RoomName;
pub use search::{
    highlight, index_terms, Found, SearchPage, SearchQuery, MAX_QUERY_CHARS, MAX_QUERY_WORDS,
    SEARCH_PAGE,
};
pub use search_cursor::SearchCursor;
pub use seq::Seq;
pub use user_id::UserId;
