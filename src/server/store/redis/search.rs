//! Searching: the search script finds `room:seq` members filed under every term of the
//! query (each query word cut to the indexed prefix), newest first, in the indexes the
//! reader may read: the one public rooms share, and each private room's own for the private
//! rooms they are a member of (one script call per index, merged in `search_script.rs`). The messages are then loaded as they are now and checked
//! against the whole query (a word longer than the indexed prefix must still match whole).

use super::batch::Batch;
use super::RedisStore;
use crate::domain::{ChatMessage, RoomName, SearchCursor, SearchPage, SearchQuery, Seq, UserId};
use crate::server::store::redis::decode::{classify, Shown};
use crate::server::store::redis::search_script::Index;
use crate::server::store::{StoreError, MAX_JOINED};
use redis::Cmd;
use std::collections::HashMap;

impl RedisStore {
    pub(super) async fn find(
        &self,
        query: &SearchQuery,
        room: Option<&RoomName>,
        reader: &UserId,
        before: Option<&SearchCursor>,
        limit: u32,
    ) -> Result<SearchPage<ChatMessage>, StoreError> {
        let before = match before {
            None => None,
            Some(cursor) => match self.search_id(cursor).await? {
                Some(id) => Some(id),
                // The message it named is gone (the history trim): nothing below it.
                None => return Ok(empty()),
            },
        };
        let indexes = self.readable_indexes(room, reader).await?;
        let mut conn = self.conn.clone();
        let found = self
            .search
            .run(&mut conn, &self.global(), query, &indexes, before, limit)
            .await?;
        let places: Vec<(RoomName, Seq)> = found.members.iter().filter_map(|m| place(m)).collect();
        let mut by_room: HashMap<&RoomName, Vec<Seq>> = HashMap::new();
        for (room, seq) in &places {
            by_room.entry(room).or_default().push(*seq);
        }
        let mut loaded: HashMap<(RoomName, Seq), ChatMessage> = HashMap::new();
        for (room, seqs) in by_room {
            for (seq, message) in self.load(room, &seqs, Shown::To(None)).await? {
                loaded.insert((room.clone(), seq), message);
            }
        }
        let results = places
            .into_iter()
            .filter_map(|place| loaded.remove(&place))
            .filter(|message| !message.deleted && query.matches(&message.searchable_text()))
            .collect();
        let older = found
            .older
            .as_deref()
            .and_then(place)
            .map(|(room, seq)| SearchCursor { room, seq }.encode());
        Ok(SearchPage {
            results,
            has_older: older.is_some(),
            older,
        })
    }

    /// The indexes a search walks: one room's (the shared index, only that room's members
    /// kept, or a private room's own), or, across rooms, the shared one and the own index of
    /// every private room `reader` joined.
    async fn readable_indexes(
        &self,
        room: Option<&RoomName>,
        reader: &UserId,
    ) -> Result<Vec<Index>, StoreError> {
        let globals = self.global();
        let shared = |only: String| Index {
            term_prefix: globals.search_term_prefix(),
            only,
            shared: true,
        };
        let own = |room: &RoomName| Index {
            term_prefix: self.keys.room(room).search_term_prefix(),
            only: String::new(),
            shared: false,
        };
        let mut conn = self.conn.clone();
        if let Some(room) = room {
            let private: bool = redis::cmd("SISMEMBER")
                .arg(globals.private_rooms())
                .arg(room.as_str())
                .query_async(&mut conn)
                .await
                .map_err(classify)?;
            return Ok(vec![if private {
                own(room)
            } else {
                shared(format!("{room}:"))
            }]);
        }
        let joined: Vec<String> = redis::cmd("HKEYS")
            .arg(self.person(reader).rooms())
            .query_async(&mut conn)
            .await
            .map_err(classify)?;
        let joined: Vec<RoomName> = joined
            .iter()
            .filter_map(|room| RoomName::parse(room).ok())
            .take(MAX_JOINED)
            .collect();
        let mut indexes = vec![shared(String::new())];
        if joined.is_empty() {
            return Ok(indexes);
        }
        let private: Vec<bool> = redis::cmd("SMISMEMBER")
            .arg(globals.private_rooms())
            .arg(joined.iter().map(RoomName::as_str).collect::<Vec<_>>())
            .query_async(&mut conn)
            .await
            .map_err(classify)?;
        let private: Vec<&RoomName> = joined
            .iter()
            .zip(private)
            .filter_map(|(room, private)| private.then_some(room))
            .collect();
        // Their list only lists: the room's members decide (memberships.rs).
        let mut pipe = Batch::new();
        for room in &private {
            pipe.add(Cmd::hexists(
                self.keys.room(room).members(),
                reader.as_str(),
            ));
        }
        let member: Vec<bool> = pipe.query(&self.conn).await?;
        indexes.extend(
            private
                .into_iter()
                .zip(member)
                .filter(|(_, member)| *member)
                .map(|(room, _)| own(room)),
        );
        Ok(indexes)
    }

    /// The search id of the message `cursor` names, if it is still stored.
    async fn search_id(&self, cursor: &SearchCursor) -> Result<Option<u64>, StoreError> {
        let mut conn = self.conn.clone();
        redis::cmd("HGET")
            .arg(self.keys.room(&cursor.room).message(cursor.seq))
            .arg("sid")
            .query_async(&mut conn)
            .await
            .map_err(classify)
    }
}

/// `room:seq`, as the index files a message.
fn place(member: &str) -> Option<(RoomName, Seq)> {
    let (room, seq) = member.rsplit_once(':')?;
    Some((RoomName::parse(room).ok()?, Seq(seq.parse().ok()?)))
}

fn empty() -> SearchPage<ChatMessage> {
    SearchPage {
        results: Vec::new(),
        has_older: false,
        older: None,
    }
}
