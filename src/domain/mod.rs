//! Types shared by the server and the browser. Every input crosses one of these `parse`
//! functions on the server; the browser may use the same rules to pre-check.

mod client_id;
mod error;
mod message;
mod message_body;
mod nickname;
mod optional_field;
mod room_name;
mod seq;

pub use client_id::ClientId;
pub use error::DomainError;
pub use message::ChatMessage;
pub use message_body::MessageBody;
pub use nickname::Nickname;
pub use optional_field::OptionalField;
pub use room_name::RoomName;
pub use seq::Seq;
