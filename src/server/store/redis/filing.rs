//! What a stored message still owes the global keys, written by the node right after
//! `append.lua`: the room moves up the room list, a public room's message goes into the
//! index every public room shares, and messages the history trim removed come out of it;
//! after `change.lua`, an edited or deleted message's terms in that index; and the records
//! of the uploads those scripts claimed or removed (`upload_records.rs`).
//! The script may touch only the room's keys (one hash slot in a cluster); this step is
//! idempotent (`ZADD GT`, `ZADD` and `ZREM` of fixed scores and members), so a late or
//! repeated run changes nothing. A node that dies between the two leaves the message
//! stored, announced and acknowledged, but not found by search and not moving its room up
//! the list until the room's next message, or until its sender, never answered, sends it again
//! (`refile`; docs/redis-cluster.md).

use super::append_script::Unfiled;
use super::batch::Batch;
use super::connection::Connection;
use super::scripts::Refiling;
use super::upload_records;
use crate::domain::{RoomName, Seq, UploadId};
use crate::server::store::redis_keys::GlobalKeys;
use redis::Cmd;

/// The global writes one new message needs.
pub(super) struct Filing<'a> {
    pub room: &'a RoomName,
    pub seq: Seq,
    pub sent_at: i64,
    pub search_id: u64,
    /// Every term it is filed under, space-separated.
    pub terms: &'a str,
    /// The uploads it carries (claimed in the room: their records are marked sent here).
    pub uploads: &'a [UploadId],
    pub unfiled: Unfiled,
}

impl Filing<'_> {
    /// Writes them. The message is stored whatever happens here: a failure is logged, not
    /// returned, so the sender is not told to send again what everyone has seen.
    pub(super) async fn write(self, conn: &Connection, globals: &GlobalKeys<'_>) {
        let mut pipe = Batch::new();
        if !self.unfiled.private {
            let mut listed = redis::cmd("ZADD");
            listed
                .arg(globals.rooms())
                .arg("GT")
                .arg(self.sent_at)
                .arg(self.room.as_str());
            pipe.add_ignored(listed);
            let member = format!("{}:{}", self.room, self.seq);
            for term in self.terms.split_whitespace() {
                pipe.add_ignored(Cmd::zadd(
                    globals.search_term(term),
                    &member,
                    self.search_id,
                ));
            }
        }
        unfile_into(&mut pipe, globals, &self.unfiled.trimmed);
        if let Err(error) = pipe.query::<()>(conn).await {
            tracing::warn!(
                room = %self.room,
                seq = %self.seq,
                %error,
                "a message was stored but not listed or indexed"
            );
        }
        let sent: Vec<&str> = self.uploads.iter().map(UploadId::as_str).collect();
        if let Err(error) = upload_records::mark_sent(conn, globals, &sent, self.seq.get()).await {
            // The sweep of unsent uploads finds their claims sent and mends this.
            tracing::warn!(seq = %self.seq, %error, "files were sent but are still counted unsent");
        }
        remove_uploads(conn, globals, &self.unfiled.removed_uploads, self.sent_at).await;
    }
}

/// Writes again what a message sent twice (the script answered it as a duplicate) owes the
/// global keys: the first send's node may have died before its second step, and the sender
/// sends again until one is acknowledged. Read back from the message as it is now (`sid`,
/// `terms`, `tp` for a private room, `aids`, `sent_at`: an edit or a delete since is
/// followed), and written with the same idempotent writes. What the first send's history
/// trim removed is not known here: those entries stay in the index, where search skips them.
pub(super) async fn refile(
    conn: &Connection,
    globals: &GlobalKeys<'_>,
    room: &RoomName,
    seq: Seq,
    message_key: &str,
) {
    let read: Result<Vec<Option<String>>, _> = redis::cmd("HMGET")
        .arg(message_key)
        .arg(&["sid", "terms", "tp", "aids", "sent_at"])
        .query_async(&mut conn.clone())
        .await;
    let fields = match read {
        Ok(fields) => fields,
        Err(error) => {
            tracing::warn!(%room, %seq, %error, "a message sent again could not be filed again");
            return;
        }
    };
    let [sid, terms, tp, aids, sent_at] =
        <[Option<String>; 5]>::try_from(fields).unwrap_or_default();
    let (Some(search_id), Some(sent_at)) = (
        sid.and_then(|sid| sid.parse().ok()),
        sent_at.and_then(|at| at.parse().ok()),
    ) else {
        return;
    };
    let uploads: Vec<UploadId> = aids
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(UploadId::parse)
        .collect();
    Filing {
        room,
        seq,
        sent_at,
        search_id,
        terms: terms.as_deref().unwrap_or_default(),
        uploads: &uploads,
        unfiled: Unfiled {
            private: tp.is_some(),
            trimmed: Vec::new(),
            removed_uploads: Vec::new(),
        },
    }
    .write(conn, globals)
    .await;
}

/// Marks the records of uploads whose claims a script removed (their message deleted or
/// trimmed), so the sweep takes their bytes. Logged, not returned, on failure: the claims
/// already refuse them to anyone; only their bytes stay behind.
pub(super) async fn remove_uploads(
    conn: &Connection,
    globals: &GlobalKeys<'_>,
    ids: &[String],
    at: i64,
) {
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    if let Err(error) = upload_records::mark_removed(conn, globals, &ids, at).await {
        tracing::warn!(?ids, %error, "removed files keep their bytes: their records were not marked");
    }
}

impl Refiling {
    /// Takes an edited or deleted message out of its old terms in the shared index and
    /// files an edit under its new ones, with its search id. Logged, not returned, on
    /// failure: the change is stored and announced.
    pub(super) async fn write(self, conn: &Connection, globals: &GlobalKeys<'_>) {
        let mut pipe = Batch::new();
        for term in self.old_terms.split_whitespace() {
            pipe.add_ignored(Cmd::zrem(globals.search_term(term), &self.member));
        }
        for term in self.new_terms.split_whitespace() {
            pipe.add_ignored(Cmd::zadd(
                globals.search_term(term),
                &self.member,
                self.search_id,
            ));
        }
        if let Err(error) = pipe.query::<()>(conn).await {
            tracing::warn!(
                member = %self.member,
                %error,
                "a change was stored but the search index still has the message as it was"
            );
        }
    }
}

/// Takes removed messages (`room:seq` and their terms) out of the shared index, and, when
/// retention left `emptied` without a message, the room out of the room list. Logged, not
/// returned, on failure: the messages are gone whatever the index says (search skips
/// entries whose message is gone).
pub(super) async fn unfile(
    conn: &Connection,
    globals: &GlobalKeys<'_>,
    removed: &[(String, Vec<String>)],
    emptied: Option<&RoomName>,
) {
    let mut pipe = Batch::new();
    unfile_into(&mut pipe, globals, removed);
    if let Some(room) = emptied {
        pipe.add_ignored(Cmd::zrem(globals.rooms(), room.as_str()));
    }
    if let Err(error) = pipe.query::<()>(conn).await {
        tracing::warn!(%error, "removed messages are still in the search index");
    }
}

fn unfile_into(pipe: &mut Batch, globals: &GlobalKeys<'_>, removed: &[(String, Vec<String>)]) {
    for (member, terms) in removed {
        for term in terms {
            pipe.add_ignored(Cmd::zrem(globals.search_term(term), member));
        }
    }
}
