//! Searching: the search script finds `room:seq` members filed under every term of the
//! query (each query word cut to the indexed prefix), newest first; the messages are then
//! loaded as they are now and checked against the whole query (a word longer than the
//! indexed prefix must still match as a whole).

use super::RedisStore;
use crate::domain::{ChatMessage, RoomName, SearchPage, SearchQuery, Seq};
use crate::server::store::StoreError;
use std::collections::HashMap;

impl RedisStore {
    pub(super) async fn find(
        &self,
        query: &SearchQuery,
        room: Option<&RoomName>,
        before: Option<u64>,
        limit: u32,
    ) -> Result<SearchPage<ChatMessage>, StoreError> {
        let mut conn = self.conn.clone();
        let found = self
            .search
            .run(&mut conn, &self.global(), query, room, before, limit)
            .await?;
        let places: Vec<(RoomName, Seq)> = found
            .members
            .iter()
            .filter_map(|member| {
                let (room, seq) = member.rsplit_once(':')?;
                Some((RoomName::parse(room).ok()?, Seq(seq.parse().ok()?)))
            })
            .collect();
        let mut by_room: HashMap<&RoomName, Vec<Seq>> = HashMap::new();
        for (room, seq) in &places {
            by_room.entry(room).or_default().push(*seq);
        }
        let mut loaded: HashMap<(RoomName, Seq), ChatMessage> = HashMap::new();
        for (room, seqs) in by_room {
            for (seq, message) in self.load(room, &seqs).await? {
                loaded.insert((room.clone(), seq), message);
            }
        }
        let results = places
            .into_iter()
            .filter_map(|place| loaded.remove(&place))
            .filter(|message| !message.deleted && query.matches(&message.body))
            .collect();
        Ok(SearchPage {
            results,
            has_older: found.older.is_some(),
            older: found.older,
        })
    }
}
