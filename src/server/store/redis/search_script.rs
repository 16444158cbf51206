//! `search.lua` behind a typed call: one call walks one index (each in its own slot in a
//! cluster), and [`merge`] puts the answers of every index a reader may read together, as
//! one page.

use super::connection::Connection;
use super::decode::{classify, malformed};
use crate::domain::SearchQuery;
use crate::server::store::redis_keys::GlobalKeys;
use crate::server::store::StoreError;
use redis::Script;

/// `search.lua`: the members filed under every term, newest first.
pub(super) struct SearchScript(Script);

/// One search index a search walks.
pub(super) struct Index {
    /// What its term keys start with.
    pub term_prefix: String,
    /// Only members that start with this (`room:`), or all.
    pub only: String,
    /// The index public rooms share (where private rooms' messages written before they had
    /// their own are skipped).
    pub shared: bool,
}

/// What one index holds for a page: `room:seq` members with their search ids, newest first,
/// and, when it stopped before its end, the member and search id it looked down to.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct Walked {
    pub fits: Vec<(String, f64)>,
    pub stop: Option<(String, f64)>,
}

/// What a search found: `room:seq` members, newest first, and the member an older page
/// starts below.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Found {
    pub members: Vec<String>,
    pub older: Option<String>,
}

/// The most index entries one search call examines in each index.
const EXAMINED_PER_CALL: u32 = 2_000;

impl SearchScript {
    pub(super) fn new() -> Self {
        Self(Script::new(include_str!("search.lua")))
    }

    /// Walks `indexes`, one call each, and merges what they hold into one page.
    pub(super) async fn run(
        &self,
        conn: &mut Connection,
        globals: &GlobalKeys<'_>,
        query: &SearchQuery,
        indexes: &[Index],
        before: Option<u64>,
        limit: u32,
    ) -> Result<Found, StoreError> {
        let terms = query.index_terms();
        let mut walked = Vec::with_capacity(indexes.len());
        for index in indexes {
            let mut call = self.0.prepare_invoke();
            if index.shared {
                call.key(globals.private_rooms());
            }
            for term in &terms {
                call.key(format!("{}{term}", index.term_prefix));
            }
            let answer: Vec<String> = call
                .arg(before.map_or_else(|| "+inf".to_owned(), |id| id.to_string()))
                .arg(limit)
                .arg(index.only.as_str())
                .arg(EXAMINED_PER_CALL)
                .arg(if index.shared { "1" } else { "" })
                .invoke_async(conn)
                .await
                .map_err(classify)?;
            walked.push(read_answer(answer)?);
        }
        Ok(merge(walked, limit as usize))
    }
}

/// `{stop, stop score, member, score, ...}` as the script answers.
fn read_answer(answer: Vec<String>) -> Result<Walked, StoreError> {
    let score = |text: &str| text.parse::<f64>().map_err(|_| malformed("search.lua"));
    let mut pairs = answer.chunks_exact(2);
    let stop = match pairs.next() {
        Some([member, at]) if !member.is_empty() => Some((member.clone(), score(at)?)),
        Some(_) => None,
        None => return Err(malformed("search.lua")),
    };
    let fits = pairs
        .map(|pair| Ok((pair[0].clone(), score(&pair[1])?)))
        .collect::<Result<_, StoreError>>()?;
    Ok(Walked { fits, stop })
}

/// One page from what each index holds. Only what every index has looked at is certain:
/// results go down to the highest stop of any index, and the next page starts below the
/// last result (when the page is full) or below that stop.
pub(super) fn merge(walked: Vec<Walked>, wanted: usize) -> Found {
    let bound = walked
        .iter()
        .filter_map(|w| w.stop.clone())
        .max_by(|a, b| a.1.total_cmp(&b.1));
    let mut found: Vec<(String, f64)> = walked.into_iter().flat_map(|w| w.fits).collect();
    found.sort_by(|a, b| b.1.total_cmp(&a.1));
    let all = found.len();
    let members: Vec<String> = found
        .into_iter()
        .take_while(|fit| bound.as_ref().is_none_or(|(_, at)| fit.1 >= *at))
        .take(wanted)
        .map(|(member, _)| member)
        .collect();
    let older = if members.len() == wanted && wanted > 0 && (all > wanted || bound.is_some()) {
        members.last().cloned()
    } else {
        bound.map(|(member, _)| member)
    };
    Found { members, older }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walked(fits: &[(&str, f64)], stop: Option<(&str, f64)>) -> Walked {
        Walked {
            fits: fits.iter().map(|(m, at)| ((*m).to_owned(), *at)).collect(),
            stop: stop.map(|(m, at)| (m.to_owned(), at)),
        }
    }

    #[test]
    fn indexes_are_merged_newest_first_and_a_full_page_goes_on_below_its_last() {
        let found = merge(
            vec![
                walked(&[("a:9", 9.0), ("a:5", 5.0)], None),
                walked(&[("b:7", 7.0), ("b:2", 2.0)], None),
            ],
            3,
        );
        assert_eq!(found.members, ["a:9", "b:7", "a:5"]);
        assert_eq!(found.older.as_deref(), Some("a:5"));
    }

    #[test]
    fn nothing_below_an_index_stop_is_shown_before_the_index_looked_there() {
        // The second index examined its cap down to 6: what the first holds below 6 waits
        // for the next page, which starts below 6.
        let found = merge(
            vec![
                walked(&[("a:9", 9.0), ("a:3", 3.0)], None),
                walked(&[("b:8", 8.0)], Some(("b:6", 6.0))),
            ],
            5,
        );
        assert_eq!(found.members, ["a:9", "b:8"]);
        assert_eq!(found.older.as_deref(), Some("b:6"));
    }

    #[test]
    fn a_page_that_is_everything_has_no_older() {
        let found = merge(vec![walked(&[("a:2", 2.0)], None), Walked::default()], 2);
        assert_eq!(found.members, ["a:2"]);
        assert_eq!(found.older, None);
        let exact = merge(vec![walked(&[("a:2", 2.0), ("a:1", 1.0)], None)], 2);
        assert_eq!(exact.older, None);
    }

    #[test]
    fn the_answer_is_read_as_the_script_writes_it() {
        let answer = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(
            read_answer(answer(&["", "", "a:3", "3", "a:1", "1"])).ok(),
            Some(walked(&[("a:3", 3.0), ("a:1", 1.0)], None))
        );
        assert_eq!(
            read_answer(answer(&["a:1", "1"])).ok(),
            Some(walked(&[], Some(("a:1", 1.0))))
        );
        assert!(read_answer(Vec::new()).is_err());
        assert!(read_answer(answer(&["", "", "a:3", "three"])).is_err());
    }
}
