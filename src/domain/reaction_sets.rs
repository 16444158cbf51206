//! Who reacted to a message, as the store keeps it: for each emoji, everyone who used it, in
//! the order they did. Only the store reads and changes the whole sets (within the limits
//! below); what a page shows is a summary of them ([`super::Reactions`]).

use super::{Emoji, OnlineUser, UserId, MAX_EMOJI_PER_MESSAGE, MAX_REACTIONS_PER_PERSON};
use serde::{Deserialize, Serialize};

/// Everyone who reacted to a message with one emoji, in the order they did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReactionSet {
    pub emoji: String,
    pub users: Vec<OnlineUser>,
}

/// A message's reactions as stored (JSON: `[{"emoji": "👍", "users": [{"id", "name"}]}]`),
/// by emoji in the order each was first used.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReactionSets(pub Vec<ReactionSet>);

/// Why a reaction was not added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReactionLimit {
    /// The message has [`MAX_EMOJI_PER_MESSAGE`] different emoji already.
    TooManyEmoji,
    /// This person has [`MAX_REACTIONS_PER_PERSON`] reactions on it already.
    TooManyOfYours,
}

impl ReactionSets {
    /// Adds `user`'s `emoji` within the limits. `Ok(false)`: they had reacted so already.
    pub fn add(&mut self, emoji: &Emoji, user: &OnlineUser) -> Result<bool, ReactionLimit> {
        if self.has(emoji.as_str(), &user.id) {
            return Ok(false);
        }
        let mine = self
            .0
            .iter()
            .filter(|set| set.users.iter().any(|u| u.id == user.id))
            .count();
        if mine >= MAX_REACTIONS_PER_PERSON {
            return Err(ReactionLimit::TooManyOfYours);
        }
        let known = self.0.iter().position(|set| set.emoji == emoji.as_str());
        match known {
            Some(at) => self.0[at].users.push(user.clone()),
            None if self.0.len() >= MAX_EMOJI_PER_MESSAGE => {
                return Err(ReactionLimit::TooManyEmoji)
            }
            None => self.0.push(ReactionSet {
                emoji: emoji.as_str().to_owned(),
                users: vec![user.clone()],
            }),
        }
        Ok(true)
    }

    /// Takes `user`'s `emoji` back. `false`: they had not reacted so.
    pub fn remove(&mut self, emoji: &str, user: &UserId) -> bool {
        let Some(at) = self.0.iter().position(|set| set.emoji == emoji) else {
            return false;
        };
        let set = &mut self.0[at];
        let before = set.users.len();
        set.users.retain(|u| &u.id != user);
        let removed = set.users.len() != before;
        if set.users.is_empty() {
            self.0.remove(at);
        }
        removed
    }

    /// Whether `user` reacted with `emoji`.
    pub fn has(&self, emoji: &str, user: &UserId) -> bool {
        self.0
            .iter()
            .any(|set| set.emoji == emoji && set.users.iter().any(|u| &u.id == user))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_person_counts_once_per_emoji_and_removing_takes_only_theirs() {
        let ann = OnlineUser::sample(1, "ann");
        let bob = OnlineUser::sample(2, "bob");
        let thumbs = Emoji::parse("👍").expect("emoji");
        let mut sets = ReactionSets::default();
        assert_eq!(sets.add(&thumbs, &ann), Ok(true));
        assert_eq!(sets.add(&thumbs, &ann), Ok(false), "no double count");
        assert_eq!(sets.add(&thumbs, &bob), Ok(true));
        assert_eq!(sets.0[0].users, [ann.clone(), bob.clone()]);
        assert!(!sets.remove("👍", &UserId::from_random(3)));
        assert!(sets.remove("👍", &ann.id));
        assert_eq!(sets.0[0].users, std::slice::from_ref(&bob));
        assert!(sets.remove("👍", &bob.id));
        assert!(sets.0.is_empty(), "an emoji nobody uses any more is gone");
    }

    #[test]
    fn limits_per_message_and_per_person() {
        let mut sets = ReactionSets::default();
        let emoji: Vec<Emoji> = ('\u{1F600}'..)
            .take(MAX_EMOJI_PER_MESSAGE + 1)
            .map(|c| Emoji::parse(&c.to_string()).expect("emoji"))
            .collect();
        let ann = OnlineUser::sample(1, "ann");
        for e in &emoji[..MAX_REACTIONS_PER_PERSON] {
            assert_eq!(sets.add(e, &ann), Ok(true));
        }
        assert_eq!(
            sets.add(&emoji[MAX_REACTIONS_PER_PERSON], &ann),
            Err(ReactionLimit::TooManyOfYours)
        );
        for (n, e) in emoji[..MAX_EMOJI_PER_MESSAGE].iter().enumerate() {
            let someone = OnlineUser::sample(100 + n as u128, "x");
            assert!(sets.add(e, &someone).is_ok());
        }
        let late = OnlineUser::sample(999, "late");
        assert_eq!(
            sets.add(&emoji[MAX_EMOJI_PER_MESSAGE], &late),
            Err(ReactionLimit::TooManyEmoji)
        );
        assert_eq!(
            sets.add(&emoji[0], &late),
            Ok(true),
            "a known emoji is fine"
        );
    }
}
