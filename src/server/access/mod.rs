//! Who may do what: a person's session (`session/`), who may read and write a room
//! (`rooms/`), and how much one person or address may take of the node (`limits/`).
//!
//! May import: `store`, `settings`, `metrics`.

pub mod accounts;
pub mod limits;
pub mod passkeys;
pub mod restrictions;
pub mod rooms;
pub mod session;
pub mod tokens;
