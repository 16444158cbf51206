//! A message's reactions as a page shows them: for each emoji, how many people used it
//! (exact), the first [`LISTED_PER_EMOJI`] of them by name, and the viewer when they are among
//! them. A message with thousands of reactions stays a few hundred bytes on every page.
//!
//! A page keeps the summary current by applying `reaction` events. Counts are not sets, so
//! an event must count once: a message says up to which seq its summary is
//! ([`super::ChatMessage::reactions_at`]), and older events are skipped.

use super::{OnlineUser, Reaction, ReactionOp, ReactionSets, UserId};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// How many people a page names per emoji (besides the viewer).
pub const LISTED_PER_EMOJI: usize = 10;

/// Who reacted with one emoji: how many, and the first of them (plus the viewer).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReactionGroup {
    pub emoji: String,
    pub count: u32,
    pub users: Vec<OnlineUser>,
}

impl ReactionGroup {
    /// How many of the people who reacted are not named.
    pub fn others(&self) -> u32 {
        self.count.saturating_sub(self.users.len() as u32)
    }
}

/// A message's reactions, by emoji in the order each was first used.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Reactions(pub Vec<ReactionGroup>);

impl Reactions {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// What `viewer` is shown of the stored sets.
    pub fn of(sets: &ReactionSets, viewer: Option<&UserId>) -> Reactions {
        let groups = sets.0.iter().map(|set| {
            let mut group = ReactionGroup {
                emoji: set.emoji.clone(),
                count: 0,
                users: Vec::new(),
            };
            for user in &set.users {
                if group.names_next(user.id.as_str(), viewer) {
                    group.users.push(user.clone());
                }
            }
            group
        });
        Reactions(groups.collect())
    }

    /// What `viewer` is shown of the stored sets' JSON, read without building the list of
    /// everyone who reacted (only the people shown are copied).
    pub fn from_stored_json(json: &str, viewer: Option<&UserId>) -> serde_json::Result<Self> {
        let mut reader = serde_json::Deserializer::from_str(json);
        let shown = StoredSets { viewer }.deserialize(&mut reader)?;
        reader.end()?;
        Ok(shown)
    }

    /// A logged reaction newer than the summary, seen by `viewer`. The store applied the
    /// limits; the caller skips events the summary already counts.
    pub fn apply(&mut self, reaction: &Reaction, viewer: &UserId) {
        let at = self.0.iter().position(|g| g.emoji == reaction.emoji);
        match reaction.op {
            ReactionOp::Add => {
                let at = at.unwrap_or_else(|| {
                    self.0.push(ReactionGroup {
                        emoji: reaction.emoji.clone(),
                        count: 0,
                        users: Vec::new(),
                    });
                    self.0.len() - 1
                });
                let group = &mut self.0[at];
                if group.users.iter().any(|u| u.id == reaction.user.id) {
                    return;
                }
                // Named so far are the first people; a newcomer is among the first only
                // while nobody is left unnamed.
                let first = group.others() == 0 && group.users.len() < LISTED_PER_EMOJI;
                group.count += 1;
                if first || &reaction.user.id == viewer {
                    group.users.push(reaction.user.clone());
                }
            }
            ReactionOp::Remove => {
                let Some(at) = at else { return };
                let group = &mut self.0[at];
                let named = group.users.len();
                group.users.retain(|u| u.id != reaction.user.id);
                if group.users.len() < named || group.others() > 0 {
                    group.count -= 1;
                }
                if group.count == 0 {
                    self.0.remove(at);
                }
            }
        }
    }
}

impl ReactionGroup {
    /// Counts one more stored person: whether they are named (among the first, or the
    /// viewer).
    fn names_next(&mut self, id: &str, viewer: Option<&UserId>) -> bool {
        self.count += 1;
        self.users.len() < LISTED_PER_EMOJI || viewer.is_some_and(|v| v.as_str() == id)
    }
}

/// The stored sets' JSON, read into a summary for `viewer`.
struct StoredSets<'v> {
    viewer: Option<&'v UserId>,
}

/// One stored set's JSON (`{"emoji", "users"}`, in either order).
struct StoredSet<'v> {
    viewer: Option<&'v UserId>,
}

/// A stored set's people, counted.
struct StoredPeople<'v> {
    viewer: Option<&'v UserId>,
}

/// One stored person, borrowed from the JSON where it can be.
#[derive(Deserialize)]
struct StoredPerson<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    name: Cow<'a, str>,
}

impl<'de> DeserializeSeed<'de> for StoredSets<'_> {
    type Value = Reactions;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Reactions, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for StoredSets<'_> {
    type Value = Reactions;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of reaction sets")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut sets: A) -> Result<Reactions, A::Error> {
        let mut shown = Vec::new();
        while let Some(group) = sets.next_element_seed(StoredSet {
            viewer: self.viewer,
        })? {
            shown.push(group);
        }
        Ok(Reactions(shown))
    }
}

impl<'de> DeserializeSeed<'de> for StoredSet<'_> {
    type Value = ReactionGroup;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<ReactionGroup, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for StoredSet<'_> {
    type Value = ReactionGroup;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a reaction set")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut fields: A) -> Result<ReactionGroup, A::Error> {
        let mut emoji = None;
        let mut people = None;
        while let Some(key) = fields.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "emoji" => emoji = Some(fields.next_value::<String>()?),
                "users" => {
                    people = Some(fields.next_value_seed(StoredPeople {
                        viewer: self.viewer,
                    })?)
                }
                _ => {
                    fields.next_value::<IgnoredAny>()?;
                }
            }
        }
        let emoji = emoji.ok_or_else(|| serde::de::Error::missing_field("emoji"))?;
        let (count, users) = people.ok_or_else(|| serde::de::Error::missing_field("users"))?;
        Ok(ReactionGroup {
            emoji,
            count,
            users,
        })
    }
}

impl<'de> DeserializeSeed<'de> for StoredPeople<'_> {
    type Value = (u32, Vec<OnlineUser>);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for StoredPeople<'_> {
    type Value = (u32, Vec<OnlineUser>);

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of people")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut people: A) -> Result<Self::Value, A::Error> {
        let mut group = ReactionGroup {
            emoji: String::new(),
            count: 0,
            users: Vec::new(),
        };
        while let Some(person) = people.next_element::<StoredPerson<'de>>()? {
            if group.names_next(&person.id, self.viewer) {
                let id = UserId::parse(&person.id).ok_or_else(|| {
                    serde::de::Error::custom(format!("bad user id {:?}", person.id))
                })?;
                group.users.push(OnlineUser {
                    id,
                    name: person.name.into_owned(),
                });
            }
        }
        Ok((group.count, group.users))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Emoji, RoomName, Seq};

    fn person(n: u128) -> OnlineUser {
        OnlineUser::sample(n, &format!("p{n}"))
    }

    fn event(op: ReactionOp, emoji: &str, user: &OnlineUser) -> Reaction {
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

    fn thousands(people: u128) -> ReactionSets {
        let mut sets = ReactionSets::default();
        let (thumbs, heart) = (
            Emoji::parse("👍").expect("e"),
            Emoji::parse("❤️").expect("e"),
        );
        for n in 0..people {
            sets.add(&thumbs, &person(n)).expect("within limits");
        }
        sets.add(&heart, &person(7)).expect("within limits");
        sets
    }

    #[test]
    fn thousands_of_people_show_as_an_exact_count_and_the_first_names() {
        let sets = thousands(3_000);
        let json = serde_json::to_string(&sets).expect("json");
        for viewer in [None, Some(person(5).id), Some(person(2_000).id)] {
            let shown = Reactions::from_stored_json(&json, viewer.as_ref()).expect("reads");
            assert_eq!(shown, Reactions::of(&sets, viewer.as_ref()));
            assert_eq!(shown.0[0].count, 3_000);
            assert_eq!(shown.0[0].users[..LISTED_PER_EMOJI], sets.0[0].users[..10]);
            assert_eq!((shown.0[1].count, shown.0[1].users.len()), (1, 1));
        }
        let seen_by_late = Reactions::of(&sets, Some(&person(2_000).id));
        assert_eq!(seen_by_late.0[0].users.len(), LISTED_PER_EMOJI + 1);
        assert_eq!(seen_by_late.0[0].users[LISTED_PER_EMOJI], person(2_000));
        assert_eq!(seen_by_late.0[0].others(), 3_000 - 11);
        let seen_by_early = Reactions::of(&sets, Some(&person(5).id));
        assert_eq!(seen_by_early.0[0].users.len(), LISTED_PER_EMOJI);
        let encoded = serde_json::to_string(&seen_by_late).expect("json");
        assert!(encoded.len() < 1_000, "{} bytes", encoded.len());
    }

    #[test]
    fn stored_json_reads_in_any_key_order_and_refuses_what_is_not_sets() {
        let id = person(1).id;
        let json = format!(r#"[{{"users":[{{"name":"ann","id":"{id}"}}],"emoji":"👍"}}]"#);
        let shown = Reactions::from_stored_json(&json, None).expect("reads");
        assert_eq!(shown.0[0].emoji, "👍");
        assert_eq!(shown.0[0].users[0].name, "ann");
        assert!(Reactions::from_stored_json("[]", None)
            .expect("empty")
            .is_empty());
        for bad in [
            r#"[{"emoji":"👍"}]"#,
            r#"{"emoji":"👍"}"#,
            r#"[{"emoji":"👍","users":[{"id":"x","name":"a"}]}]"#,
            "[] []",
        ] {
            assert!(Reactions::from_stored_json(bad, None).is_err(), "{bad}");
        }
    }

    #[test]
    fn events_applied_to_a_summary_keep_the_count_and_the_viewer() {
        let me = person(500);
        let (mut sets, mut shown) = (ReactionSets::default(), Reactions::default());
        let thumbs = Emoji::parse("👍").expect("e");
        let mut step = |sets: &mut ReactionSets, op, who: &OnlineUser| {
            let changed = match op {
                ReactionOp::Add => sets.add(&thumbs, who).expect("within limits"),
                ReactionOp::Remove => sets.remove("👍", &who.id),
            };
            if changed {
                shown.apply(&event(op, "👍", who), &me.id);
            }
            shown.clone()
        };
        for n in 0..30 {
            step(&mut sets, ReactionOp::Add, &person(n));
        }
        step(&mut sets, ReactionOp::Add, &me);
        for n in [0, 3, 20, 29] {
            step(&mut sets, ReactionOp::Remove, &person(n));
        }
        let now = step(&mut sets, ReactionOp::Add, &person(40));
        assert_eq!(now.0[0].count, 28);
        assert!(now.0[0].users.contains(&me), "the viewer is always named");
        assert!(now.0[0].users.len() <= LISTED_PER_EMOJI + 1);
        assert!(now.0[0].users.iter().all(|u| sets.has("👍", &u.id)));
        let now = step(&mut sets, ReactionOp::Remove, &me);
        assert_eq!(now.0[0].count, 27);
        assert!(!now.0[0].users.contains(&me));
        for n in (1..30).chain([40]) {
            step(&mut sets, ReactionOp::Remove, &person(n));
        }
        assert!(shown.is_empty(), "{shown:?}");
    }
}
