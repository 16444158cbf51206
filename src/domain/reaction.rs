//! Reactions: an emoji a person puts on a message. Each add or remove is a log event with its
//! own seq (`reaction`), so a resumed stream replays them in order. The store keeps who
//! reacted ([`super::ReactionSets`]); a page shows counts and a few names
//! ([`super::Reactions`]).

use super::{DomainError, OnlineUser, RoomName, Seq};
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
