//! Where people act from, and the addresses banned with them. Every
//! [`Store`](super::Store) is also this.
//!
//! An address is kept as its network: an IPv4 address whole, an IPv6 address by its /64
//! (one household or one phone holds a whole /64, so banning one address of it bans
//! nothing). `access::restrictions` makes those strings; the store only keeps them.

use super::StoreError;
use crate::domain::UserId;
use async_trait::async_trait;

/// The most networks kept per person: the newest ones they acted from.
pub const ADDRESSES_KEPT: usize = 10;

/// How long a network a person acted from is kept, in milliseconds (30 days).
pub const ADDRESSES_KEPT_FOR_MS: i64 = 30 * 24 * 60 * 60 * 1000;

/// A network banned along with a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressBan {
    pub net: String,
    /// Whose ban brought it (lifting that person's ban lifts it).
    pub user_id: UserId,
    /// Milliseconds since the Unix epoch.
    pub at: i64,
}

/// Someone acted from a network, at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressNote {
    pub user_id: UserId,
    pub net: String,
    /// Milliseconds since the Unix epoch.
    pub at: i64,
}

#[async_trait]
pub trait Addresses: Send + Sync {
    /// Each note's person acted from its network then (one write for them all); only the
    /// newest [`ADDRESSES_KEPT`] per person are kept, each for [`ADDRESSES_KEPT_FOR_MS`].
    async fn note_addresses(&self, notes: &[AddressNote]) -> Result<(), StoreError>;

    /// The networks `user` acted from lately, newest first.
    async fn addresses_of(&self, user: &UserId) -> Result<Vec<String>, StoreError>;

    /// Bans `nets` along with `user` (another person's ban of the same network stands on
    /// its own).
    async fn ban_addresses(
        &self,
        user: &UserId,
        nets: &[String],
        at: i64,
    ) -> Result<(), StoreError>;

    /// Lifts the address bans that came with `user`'s ban: how many.
    async fn unban_addresses_of(&self, user: &UserId) -> Result<u64, StoreError>;

    /// Every banned network.
    async fn banned_addresses(&self) -> Result<Vec<AddressBan>, StoreError>;
}
