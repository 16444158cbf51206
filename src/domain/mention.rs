//! Mentions: `@name` in a message, tied to the person (their user id), since display names
//! are not unique and anyone may take a name someone else has. The composer says whom it
//! means; the server keeps a mention only when that person goes by that name in the room
//! and the body names them; the page highlights each `@name` that is a kept mention.

use super::{DomainError, OnlineUser, UserId};
use serde::{Deserialize, Serialize};

/// The most people one message may mention.
pub const MAX_MENTIONS: usize = 20;

/// A person a message mentions, with the name it calls them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Mention {
    pub id: UserId,
    pub name: String,
}

/// A piece of a message body: text, or a mention of `id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MentionSegment<'a> {
    Text(&'a str),
    Mention { text: &'a str, id: &'a UserId },
}

/// The user ids a sender says their message mentions: comma-separated, at most
/// [`MAX_MENTIONS`], each once (an empty list for none).
pub fn parse_mentioned_ids(raw: &str) -> Result<Vec<UserId>, DomainError> {
    let refused = DomainError::BadMentions { max: MAX_MENTIONS };
    let mut ids: Vec<UserId> = Vec::new();
    for part in raw
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
    {
        let id = UserId::parse(part).ok_or(refused.clone())?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.len() > MAX_MENTIONS {
        return Err(refused);
    }
    Ok(ids)
}

/// Of `people` (who the composer meant, with the names the room knows them by), those that
/// `body` names as `@name` (the whole name), each once, in the order given, at most
/// [`MAX_MENTIONS`].
pub fn mentioned_in(body: &str, people: &[OnlineUser]) -> Vec<Mention> {
    let mut found: Vec<Mention> = Vec::new();
    for person in people {
        if found.len() == MAX_MENTIONS {
            break;
        }
        if names(body, &person.name) && !found.iter().any(|m| m.id == person.id) {
            found.push(Mention {
                id: person.id.clone(),
                name: person.name.clone(),
            });
        }
    }
    found
}

/// `body` cut into text and mentions: each `@name` of a mention (the longest name that
/// fits, when one name starts another) becomes a mention segment.
pub fn segments<'a>(body: &'a str, mentions: &'a [Mention]) -> Vec<MentionSegment<'a>> {
    let mut out = Vec::new();
    let mut plain_from = 0;
    let mut cursor = 0;
    while let Some(offset) = body[cursor..].find('@') {
        let at = cursor + offset;
        let hit = mentions
            .iter()
            .filter(|m| name_at(body, at + 1, &m.name))
            .max_by_key(|m| m.name.len());
        match hit {
            Some(mention) => {
                let end = at + 1 + mention.name.len();
                if plain_from < at {
                    out.push(MentionSegment::Text(&body[plain_from..at]));
                }
                out.push(MentionSegment::Mention {
                    text: &body[at..end],
                    id: &mention.id,
                });
                plain_from = end;
                cursor = end;
            }
            None => cursor = at + 1,
        }
    }
    if plain_from < body.len() {
        out.push(MentionSegment::Text(&body[plain_from..]));
    }
    out
}

/// Whether `body` names `name` as a whole `@name`.
pub(super) fn names(body: &str, name: &str) -> bool {
    body.match_indices('@')
        .any(|(at, _)| name_at(body, at + 1, name))
}

/// Whether `name` is written at byte `start` of `body`, whole: followed by the end, a space
/// or punctuation (so `@Ann` does not name "Anna").
fn name_at(body: &str, start: usize, name: &str) -> bool {
    if name.is_empty() || !body.get(start..).is_some_and(|rest| rest.starts_with(name)) {
        return false;
    }
    body[start + name.len()..]
        .chars()
        .next()
        .is_none_or(|next| !next.is_alphanumeric() && next != '_' && next != '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_people_named_as_a_whole_count_each_once() {
        let ann = OnlineUser::sample(1, "Ann");
        let anna = OnlineUser::sample(2, "Anna");
        let lee = OnlineUser::sample(3, "Ann Lee");
        let people = [ann.clone(), anna.clone(), lee.clone()];
        let ids = |body: &str| -> Vec<UserId> {
            mentioned_in(body, &people)
                .into_iter()
                .map(|m| m.id)
                .collect()
        };
        assert_eq!(
            ids("hi @Ann, and @Ann again"),
            std::slice::from_ref(&ann.id)
        );
        assert_eq!(ids("@Anna?"), std::slice::from_ref(&anna.id));
        assert_eq!(ids("ask @Ann Lee"), [ann.id.clone(), lee.id.clone()]);
        assert!(ids("mail ann@example.com or Ann").is_empty());
        assert!(ids("@ann").is_empty(), "names as the room knows them");
    }

    #[test]
    fn mentioned_ids_are_user_ids_each_once_and_few() {
        let ann = UserId::from_random(1);
        let bob = UserId::from_random(2);
        let raw = format!("{ann}, {bob},{ann},");
        assert_eq!(parse_mentioned_ids(&raw), Ok(vec![ann, bob]));
        assert_eq!(parse_mentioned_ids(""), Ok(vec![]));
        assert!(parse_mentioned_ids("Ann").is_err(), "a name is not an id");
        let many: Vec<String> = (0..=MAX_MENTIONS as u128)
            .map(|n| UserId::from_random(n).to_string())
            .collect();
        assert!(parse_mentioned_ids(&many.join(",")).is_err());
    }

    #[test]
    fn no_more_than_the_limit() {
        let people: Vec<OnlineUser> = (0..MAX_MENTIONS as u128 + 5)
            .map(|n| OnlineUser::sample(n, &format!("p{n}")))
            .collect();
        let body: String = people.iter().map(|p| format!("@{} ", p.name)).collect();
        assert_eq!(mentioned_in(&body, &people).len(), MAX_MENTIONS);
    }

    #[test]
    fn segments_mark_the_longest_name_and_keep_the_rest_as_text() {
        let ann = Mention {
            id: UserId::from_random(1),
            name: "Ann".into(),
        };
        let lee = Mention {
            id: UserId::from_random(3),
            name: "Ann Lee".into(),
        };
        let mentions = [ann.clone(), lee.clone()];
        assert_eq!(
            segments("hey @Ann Lee and @Ann! @Bob", &mentions),
            [
                MentionSegment::Text("hey "),
                MentionSegment::Mention {
                    text: "@Ann Lee",
                    id: &lee.id
                },
                MentionSegment::Text(" and "),
                MentionSegment::Mention {
                    text: "@Ann",
                    id: &ann.id
                },
                MentionSegment::Text("! @Bob"),
            ]
        );
        assert_eq!(segments("plain", &[]), [MentionSegment::Text("plain")]);
    }
}
