//! How much a person wants to hear of a room they joined, chosen per room.

use super::DomainError;
use serde::{Deserialize, Serialize};

/// What a joined room notifies its person of (besides its unread count, always shown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotifyLevel {
    /// A desktop notification for every message from someone else.
    Every,
    /// The mention badge, and a desktop notification when someone mentions them.
    #[default]
    Mentions,
    /// Nothing beyond the unread count: no badge, no desktop notification.
    Nothing,
}

impl NotifyLevel {
    pub const ALL: [NotifyLevel; 3] = [
        NotifyLevel::Every,
        NotifyLevel::Mentions,
        NotifyLevel::Nothing,
    ];

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        match raw {
            "every" => Ok(NotifyLevel::Every),
            "mentions" => Ok(NotifyLevel::Mentions),
            "nothing" => Ok(NotifyLevel::Nothing),
            _ => Err(DomainError::BadNotifyLevel),
        }
    }

    /// The stored and posted form.
    pub fn as_str(self) -> &'static str {
        match self {
            NotifyLevel::Every => "every",
            NotifyLevel::Mentions => "mentions",
            NotifyLevel::Nothing => "nothing",
        }
    }

    /// How the choice reads to the person.
    pub fn label(self) -> &'static str {
        match self {
            NotifyLevel::Every => "Every message",
            NotifyLevel::Mentions => "Mentions only",
            NotifyLevel::Nothing => "Nothing",
        }
    }

    /// Whether a message from someone else, mentioning the person or not, deserves a
    /// desktop notification.
    pub fn notifies(self, mentioned: bool) -> bool {
        match self {
            NotifyLevel::Every => true,
            NotifyLevel::Mentions => mentioned,
            NotifyLevel::Nothing => false,
        }
    }

    /// Whether mentions raise the room's badge.
    pub fn counts_mentions(self) -> bool {
        self != NotifyLevel::Nothing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_level_reads_back_and_nothing_else_does() {
        for level in NotifyLevel::ALL {
            assert_eq!(NotifyLevel::parse(level.as_str()), Ok(level));
        }
        assert!(NotifyLevel::parse("all").is_err());
        assert!(NotifyLevel::parse("").is_err());
        assert_eq!(NotifyLevel::default(), NotifyLevel::Mentions);
    }

    #[test]
    fn a_level_decides_which_messages_notify() {
        assert!(NotifyLevel::Every.notifies(false));
        assert!(!NotifyLevel::Mentions.notifies(false));
        assert!(NotifyLevel::Mentions.notifies(true));
        assert!(!NotifyLevel::Nothing.notifies(true));
        assert!(!NotifyLevel::Nothing.counts_mentions());
    }
}
