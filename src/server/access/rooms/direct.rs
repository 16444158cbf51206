//! Direct messages: two people's private room, whose name comes from their two user ids
//! (in either order), so it is the same room whoever opens it first. No room of another
//! kind may bear such a name: a public one is refused to everyone (`RoomAccess`), and
//! `create_room` refuses the prefix, so nobody can take a pair's name before them.

use crate::domain::{RoomName, UserId};
use sha2::{Digest, Sha256};

/// The direct-message room of `a` and `b`: `dm-` and 29 hex digits of a hash of both ids.
pub fn direct_room(a: &UserId, b: &UserId) -> RoomName {
    let (first, second) = if a <= b { (a, b) } else { (b, a) };
    let hash = Sha256::new()
        .chain_update(first.as_str())
        .chain_update(b":")
        .chain_update(second.as_str())
        .finalize();
    let hex: String = hash.iter().map(|byte| format!("{byte:02x}")).collect();
    let len = RoomName::MAX_LEN - RoomName::DIRECT_PREFIX.len();
    let name = format!("{}{}", RoomName::DIRECT_PREFIX, &hex[..len]);
    RoomName::parse(&name).unwrap_or_else(|_| RoomName::lobby())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_people_have_one_room_whoever_asks_and_others_another() {
        let (ann, bob, eve) = (
            UserId::from_random(1),
            UserId::from_random(2),
            UserId::from_random(3),
        );
        let room = direct_room(&ann, &bob);
        assert_eq!(room, direct_room(&bob, &ann));
        assert!(room.is_direct());
        assert_eq!(room.as_str().len(), RoomName::MAX_LEN);
        assert_ne!(room, direct_room(&ann, &eve));
        assert_ne!(room, direct_room(&bob, &eve));
    }
}
