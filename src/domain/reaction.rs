//! Reactions: an emoji a person puts on a message. Each add or remove is a log event with its
//! own seq (`reaction`), so a resumed stream replays them in order; a message's reactions are
//! sets of people per emoji, so applying the same event twice never counts anyone twice.

use super::{DomainError, OnlineUser, RoomName, Seq, UserId};
use serde::{Deserialize, Serialize};

/// The most different emoji one message carries.
pub const MAX_EMOJI_PER_MESSAGE: usize = 20;
/// The most reactions one person puts on one message.
pub const MAX_REACTIONS_PER_PERSON: usize = 10;
/// The quick choices the UI offers; any other emoji may be typed.
pub const QUICK_REACTIONS: [&str; 6] = ["👍", "❤️", "😂", "🎉", "😮", "🙏"];

const MAX_EMOJI_BYTES: usize = 32;
const MAX_EMOJI_CHARS: usize = 10;

/// One emoji, as a person may react with it: a single emoji, possibly a sequence (skin
/// tone, ZWJ family, flag, keycap), and nothing else — no words, no spaces, no markup.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Emoji(String);

impl Emoji {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let mut chars = raw.chars();
        let first = chars.next().ok_or(DomainError::BadEmoji)?;
        let keycap = raw.contains('\u{20E3}');
        let first_ok = is_pictographic(first) || (keycap && is_keycap_base(first));
        let rest_ok = chars.all(|c| is_pictographic(c) || is_emoji_modifier(c));
        if !first_ok
            || !rest_ok
            || raw.len() > MAX_EMOJI_BYTES
            || raw.chars().count() > MAX_EMOJI_CHARS
        {
            return Err(DomainError::BadEmoji);
        }
        Ok(Emoji(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Characters that are emoji on their own (the pictographic blocks and the older symbols
/// that have emoji forms).
fn is_pictographic(c: char) -> bool {
    matches!(c,
        '\u{00A9}' | '\u{00AE}' | '\u{203C}' | '\u{2049}' | '\u{2122}' | '\u{2139}'
        | '\u{2194}'..='\u{21AA}' | '\u{231A}'..='\u{23FF}' | '\u{24C2}'
        | '\u{25AA}'..='\u{27BF}' | '\u{2934}' | '\u{2935}' | '\u{2B05}'..='\u{2B55}'
        | '\u{3030}' | '\u{303D}' | '\u{3297}' | '\u{3299}' | '\u{1F000}'..='\u{1FAFF}')
}

/// What may follow inside one emoji: the joiner, variation selectors, the keycap mark and
/// tag characters (subdivision flags). Skin tones and regional indicators are pictographic.
fn is_emoji_modifier(c: char) -> bool {
    matches!(
        c,
        '\u{200D}' | '\u{FE0E}' | '\u{FE0F}' | '\u{20E3}' | '\u{E0020}'..='\u{E007F}'
    )
}

fn is_keycap_base(c: char) -> bool {
    c.is_ascii_digit() || c == '#' || c == '*'
}

/// Everyone who reacted to a message with one emoji, in the order they did.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReactionGroup {
    pub emoji: String,
    pub users: Vec<OnlineUser>,
}

/// A message's reactions, by emoji in the order each was first used.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Reactions(pub Vec<ReactionGroup>);

/// Whether a reaction was added or taken back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReactionOp {
    Add,
    Remove,
}

impl ReactionOp {
    pub fn as_str(self) -> &'static str {
        match self {
            ReactionOp::Add => "add",
            ReactionOp::Remove => "remove",
        }
    }
}

/// A `reaction` event: `user` added or removed `emoji` on message `target`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    pub seq: Seq,
    pub room: RoomName,
    pub target: Seq,
    pub emoji: String,
    pub user: OnlineUser,
    pub op: ReactionOp,
    /// Milliseconds since the Unix epoch.
    pub at: i64,
}

/// Why a reaction was not added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReactionLimit {
    /// The message has [`MAX_EMOJI_PER_MESSAGE`] different emoji already.
    TooManyEmoji,
    /// This person has [`MAX_REACTIONS_PER_PERSON`] reactions on it already.
    TooManyOfYours,
}

impl Reactions {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds `user`'s `emoji` within the limits. `Ok(false)`: they had reacted so already.
    pub fn add(&mut self, emoji: &Emoji, user: &OnlineUser) -> Result<bool, ReactionLimit> {
        if self.has(emoji.as_str(), &user.id) {
            return Ok(false);
        }
        let mine = self
            .0
            .iter()
            .filter(|group| group.users.iter().any(|u| u.id == user.id))
            .count();
        if mine >= MAX_REACTIONS_PER_PERSON {
            return Err(ReactionLimit::TooManyOfYours);
        }
        let known = self.0.iter().any(|group| group.emoji == emoji.as_str());
        if !known && self.0.len() >= MAX_EMOJI_PER_MESSAGE {
            return Err(ReactionLimit::TooManyEmoji);
        }
        self.insert(emoji.as_str(), user);
        Ok(true)
    }

    /// Takes `user`'s `emoji` back. `false`: they had not reacted so.
    pub fn remove(&mut self, emoji: &str, user: &UserId) -> bool {
        let Some(at) = self.0.iter().position(|group| group.emoji == emoji) else {
            return false;
        };
        let group = &mut self.0[at];
        let before = group.users.len();
        group.users.retain(|u| &u.id != user);
        let removed = group.users.len() != before;
        if group.users.is_empty() {
            self.0.remove(at);
        }
        removed
    }

    /// A logged reaction, as a page or a replay applies it: no limits (the store applied
    /// them), and applying it again changes nothing.
    pub fn apply(&mut self, reaction: &Reaction) {
        match reaction.op {
            ReactionOp::Add => {
                if !self.has(&reaction.emoji, &reaction.user.id) {
                    self.insert(&reaction.emoji, &reaction.user);
                }
            }
            ReactionOp::Remove => {
                self.remove(&reaction.emoji, &reaction.user.id);
            }
        }
    }

    /// Whether `user` reacted with `emoji`.
    pub fn has(&self, emoji: &str, user: &UserId) -> bool {
        self.0
            .iter()
            .any(|group| group.emoji == emoji && group.users.iter().any(|u| &u.id == user))
    }

    fn insert(&mut self, emoji: &str, user: &OnlineUser) {
        match self.0.iter_mut().find(|group| group.emoji == emoji) {
            Some(group) => group.users.push(user.clone()),
            None => self.0.push(ReactionGroup {
                emoji: emoji.to_owned(),
                users: vec![user.clone()],
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reaction(op: ReactionOp, emoji: &str, user: &OnlineUser) -> Reaction {
        Reaction {
            seq: Seq(9),
            room: RoomName::lobby(),
            target: Seq(1),
            emoji: emoji.into(),
            user: user.clone(),
            op,
            at: 0,
        }
    }

    #[test]
    fn emoji_are_single_emoji_and_nothing_else() {
        for ok in ["👍", "❤️", "👍🏽", "👨‍👩‍👧‍👦", "🇫🇷", "1️⃣", "🏴󠁧󠁢󠁥󠁮󠁧󠁿", "©️"]
        {
            assert!(Emoji::parse(ok).is_ok(), "{ok:?} is an emoji");
        }
        for bad in [
            "",
            "a",
            "👍 ",
            " 👍",
            "👍x",
            "<b>",
            "1",
            "‍",
            "️",
            &"👍".repeat(9),
        ] {
            assert_eq!(Emoji::parse(bad), Err(DomainError::BadEmoji), "{bad:?}");
        }
    }

    #[test]
    fn each_person_counts_once_per_emoji_and_removing_takes_only_theirs() {
        let ann = OnlineUser::sample(1, "ann");
        let bob = OnlineUser::sample(2, "bob");
        let thumbs = Emoji::parse("👍").expect("emoji");
        let mut reactions = Reactions::default();
        assert_eq!(reactions.add(&thumbs, &ann), Ok(true));
        assert_eq!(reactions.add(&thumbs, &ann), Ok(false), "no double count");
        assert_eq!(reactions.add(&thumbs, &bob), Ok(true));
        assert_eq!(reactions.0[0].users, [ann.clone(), bob.clone()]);
        assert!(!reactions.remove("👍", &UserId::from_random(3)));
        assert!(reactions.remove("👍", &ann.id));
        assert_eq!(reactions.0[0].users, std::slice::from_ref(&bob));
        assert!(reactions.remove("👍", &bob.id));
        assert!(
            reactions.is_empty(),
            "an emoji nobody uses any more is gone"
        );
    }

    #[test]
    fn replaying_events_twice_gives_the_same_reactions() {
        let ann = OnlineUser::sample(1, "ann");
        let events = [
            reaction(ReactionOp::Add, "🎉", &ann),
            reaction(ReactionOp::Add, "👍", &ann),
            reaction(ReactionOp::Remove, "🎉", &ann),
        ];
        let mut once = Reactions::default();
        events.iter().for_each(|e| once.apply(e));
        let mut twice = Reactions::default();
        events.iter().chain(&events).for_each(|e| twice.apply(e));
        assert_eq!(once, twice);
        assert_eq!(once.0.len(), 1);
        assert_eq!(once.0[0].emoji, "👍");
    }

    #[test]
    fn limits_per_message_and_per_person() {
        let mut reactions = Reactions::default();
        let emoji: Vec<Emoji> = ('\u{1F600}'..)
            .take(MAX_EMOJI_PER_MESSAGE + 1)
            .map(|c| Emoji::parse(&c.to_string()).expect("emoji"))
            .collect();
        let ann = OnlineUser::sample(1, "ann");
        for e in &emoji[..MAX_REACTIONS_PER_PERSON] {
            assert_eq!(reactions.add(e, &ann), Ok(true));
        }
        assert_eq!(
            reactions.add(&emoji[MAX_REACTIONS_PER_PERSON], &ann),
            Err(ReactionLimit::TooManyOfYours)
        );
        for (n, e) in emoji[..MAX_EMOJI_PER_MESSAGE].iter().enumerate() {
            let someone = OnlineUser::sample(100 + n as u128, "x");
            assert!(reactions.add(e, &someone).is_ok());
        }
        let late = OnlineUser::sample(999, "late");
        assert_eq!(
            reactions.add(&emoji[MAX_EMOJI_PER_MESSAGE], &late),
            Err(ReactionLimit::TooManyEmoji)
        );
        assert_eq!(
            reactions.add(&emoji[0], &late),
            Ok(true),
            "a known emoji is fine"
        );
    }
}
