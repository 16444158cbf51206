use super::{RoomName, UserId};
use serde::{Deserialize, Serialize};

/// Someone with at least one open stream in a room.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OnlineUser {
    pub id: UserId,
    pub name: String,
}

#[cfg(test)]
impl OnlineUser {
    /// Person number `n`, called `name`, for tests.
    pub(crate) fn sample(n: u128, name: &str) -> Self {
        OnlineUser {
            id: UserId::from_random(n),
            name: name.into(),
        }
    }
}

/// A `typing` event: `user` is writing a message in `room`. Ephemeral, like presence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Typing {
    pub room: RoomName,
    pub user: OnlineUser,
}
