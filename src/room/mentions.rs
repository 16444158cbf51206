//! Whom the composer suggests after `@`, and whom a message it sends means. Display names
//! are not unique: a person picked from the suggestions is meant by their id; a name typed
//! by hand means someone only when exactly one person the page knows goes by it.

use crate::domain::{mentioned_in, Nickname, OnlineUser, UserId};

/// The most suggestions shown at once.
pub const MAX_SUGGESTIONS: usize = 6;

/// An `@name` being typed: where its `@` is (a byte offset) and what follows it so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typed {
    pub at: usize,
    pub query: String,
}

/// The `@name` the caret is in, if any, given the text before the caret: an `@` at the
/// start or after a space, then at most a name's length on the same line.
pub fn typed_at_caret(before_caret: &str) -> Option<Typed> {
    let at = before_caret.rfind('@')?;
    let starts_word = before_caret[..at]
        .chars()
        .next_back()
        .is_none_or(char::is_whitespace);
    let query = &before_caret[at + 1..];
    let fits = query.chars().count() <= Nickname::MAX_CHARS && !query.contains('\n');
    (starts_word && fits).then(|| Typed {
        at,
        query: query.to_owned(),
    })
}

/// Whom to suggest for `query`: people whose name starts with it (any case), online first,
/// then the room's other members, never the viewer, each once, at most [`MAX_SUGGESTIONS`].
pub fn suggestions(
    query: &str,
    online: &[OnlineUser],
    members: &[OnlineUser],
    me: &UserId,
) -> Vec<Suggestion> {
    let query = query.to_lowercase();
    let mut found: Vec<Suggestion> = Vec::new();
    for (person, is_online) in online
        .iter()
        .map(|p| (p, true))
        .chain(members.iter().map(|p| (p, false)))
    {
        if found.len() == MAX_SUGGESTIONS {
            break;
        }
        let fits = person.name.to_lowercase().starts_with(&query);
        if fits && &person.id != me && !found.iter().any(|s| s.person.id == person.id) {
            found.push(Suggestion {
                person: person.clone(),
                online: is_online,
            });
        }
    }
    found
}

/// A person the composer suggests, and whether they are online now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub person: OnlineUser,
    pub online: bool,
}

/// The suggestions open in the composer: for which `@name`, whom, and which is active.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picking {
    pub typed: Typed,
    pub options: Vec<Suggestion>,
    pub active: usize,
}

impl Picking {
    /// Moves the active suggestion by `delta`, wrapping around.
    pub fn step(&mut self, delta: isize) {
        let len = self.options.len() as isize;
        if len > 0 {
            self.active = (self.active as isize + delta).rem_euclid(len) as usize;
        }
    }

    pub fn active_person(&self) -> Option<&OnlineUser> {
        self.options.get(self.active).map(|s| &s.person)
    }
}

/// The ids a message with `body` means to mention: those `picked` from the suggestions,
/// and anyone `known` whose name it names when nobody else known has that name.
pub fn meant(body: &str, picked: &[OnlineUser], known: &[OnlineUser]) -> Vec<UserId> {
    let unique: Vec<OnlineUser> = known
        .iter()
        .filter(|person| {
            known
                .iter()
                .filter(|other| other.name == person.name && other.id != person.id)
                .count()
                == 0
        })
        .cloned()
        .collect();
    let candidates: Vec<OnlineUser> = picked.iter().chain(unique.iter()).cloned().collect();
    mentioned_in(body, &candidates)
        .into_iter()
        .map(|mention| mention.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_at_sign_starting_a_word_opens_suggestions_until_the_line_ends() {
        assert_eq!(
            typed_at_caret("hi @Bo"),
            Some(Typed {
                at: 3,
                query: "Bo".into()
            })
        );
        assert_eq!(typed_at_caret("@").map(|t| t.query), Some(String::new()));
        assert_eq!(
            typed_at_caret("ask @Ann L").map(|t| t.query),
            Some("Ann L".into()),
            "names have spaces"
        );
        assert_eq!(typed_at_caret("mail ann@example"), None, "not a word start");
        assert_eq!(typed_at_caret("@Bob\nnext"), None);
        assert_eq!(typed_at_caret("no at sign"), None);
    }

    #[test]
    fn suggestions_put_online_people_first_and_leave_out_the_viewer() {
        let me = OnlineUser::sample(1, "Bea");
        let bob = OnlineUser::sample(2, "Bob");
        let bella = OnlineUser::sample(3, "bella");
        let ann = OnlineUser::sample(4, "Ann");
        let online = [me.clone(), bob.clone()];
        let members = [ann.clone(), bella.clone(), bob.clone(), me.clone()];
        let names = |query: &str| -> Vec<(String, bool)> {
            suggestions(query, &online, &members, &me.id)
                .into_iter()
                .map(|s| (s.person.name, s.online))
                .collect()
        };
        assert_eq!(
            names("b"),
            [("Bob".to_owned(), true), ("bella".to_owned(), false)]
        );
        assert_eq!(names("").len(), 3, "everyone but me");
        assert!(names("z").is_empty());
    }

    #[test]
    fn the_active_suggestion_wraps_around() {
        let option = |n: u128| Suggestion {
            person: OnlineUser::sample(n, &format!("p{n}")),
            online: false,
        };
        let mut picking = Picking {
            typed: Typed {
                at: 0,
                query: String::new(),
            },
            options: vec![option(1), option(2), option(3)],
            active: 0,
        };
        picking.step(-1);
        assert_eq!(picking.active, 2);
        picking.step(1);
        assert_eq!(picking.active_person().map(|p| p.name.as_str()), Some("p1"));
    }

    #[test]
    fn a_copied_name_means_nobody_unless_picked() {
        let ann = OnlineUser::sample(1, "Ann");
        let impostor = OnlineUser::sample(2, "Ann");
        let bob = OnlineUser::sample(3, "Bob");
        let known = [ann.clone(), impostor.clone(), bob.clone()];
        assert_eq!(
            meant("@Ann and @Bob", &[], &known),
            std::slice::from_ref(&bob.id)
        );
        assert_eq!(
            meant("@Ann and @Bob", std::slice::from_ref(&ann), &known),
            [ann.id.clone(), bob.id.clone()]
        );
        assert!(
            meant("no names", std::slice::from_ref(&ann), &known).is_empty(),
            "picked, then erased"
        );
    }
}
