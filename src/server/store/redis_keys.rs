//! Every Redis key and channel the app uses, built here and nowhere else, all under the
//! configured prefix `P` (several deployments can share one Redis):
//!
//! | key | type | holds |
//! |---|---|---|
//! | `P:{room}:seq` | string | the room's newest seq |
//! | `P:{room}:log` | stream | the room's log; entry ids are the seqs |
//! | `P:{room}:m:{seq}` | hash | a message's current state |
//! | `P:{room}:order` | zset | the room's message seqs (history is bounded) |
//! | `P:{room}:cids` | hash | `author_id:client_id` → seq (idempotency) |
//! | `P:{room}:presence` | hash | each node's roster of the room |
//! | `P:{room}:private` | hash | a private room's `creator`, invite `version` and `created_at` |
//! | `P:{room}:members` | hash | who joined the room → the name it knows them by |
//! | `P:{room}:notify` | channel | announcements of the room's events |
//! | `P:{room}:search:w:{term}` | zset | a private room's own search index, as below |
//! | `P:{room}:hooks` | zset | the room's webhook ids, by creation time |
//! | `P:{room}:pins` | zset | the seqs of its pinned messages, by the seq of the `pin` event |
//! | `P:{room}:cut` | string | the newest seq retention removed (a resume below it starts over) |
//! | `P:{room}:upload:{id}` | hash | an upload's claim in its room: `owner`, and once sent `seq`, or `removed` (what may carry it, beside the messages) |
//! | `P:rooms` | zset | rooms by last activity |
//! | `P:counts` | hash | messages per room (in a cluster, each room's own `P:{room}:counts`) |
//! | `P:private` | set | the names of the private rooms (never listed) |
//! | `P:search:next` | string | the newest search id (one per message, growing) |
//! | `P:search:w:{term}` | zset | `room:seq` of each public message filed under the term, by search id |
//! | `P:user:{id}:rooms` | hash | the rooms a person joined → the newest seq they saw |
//! | `P:user:{id}:notify` | hash | a joined room → what it notifies them of (absent: mentions) |
//! | `P:account:{id}` | hash | an account's `name`, `name_key`, `password_hash`, `role`, `created_at` |
//! | `P:account-names` | hash | folded name → user id (names are unique) |
//! | `P:session:{id}` | hash | a session's `user_id`, `created_at`, `last_seen`, `user_agent` |
//! | `P:user:{id}:sessions` | zset | a person's session ids, by creation time |
//! | `P:token:{id}` | hash | a device link's, API token's or webhook's `kind`, `user_id`, `room`, `name`, `secret_hash`, `created_at`, `last_used`, `expires_at` |
//! | `P:user:{id}:tokens:{kind}` | zset | a person's token ids of one kind, by creation time |
//! | `P:passkey:{id}` | hash | a passkey's `user_id`, `name`, `passkey` (JSON), `created_at`, `last_used`, by credential id |
//! | `P:user:{id}:passkeys` | zset | a person's passkey ids, by creation time |
//! | `P:bans` | hash | banned user id → when |
//! | `P:user:{id}:addresses` | hash | a network the person acted from lately → when (the newest ten; gone 30 days after the last) |
//! | `P:address-bans` | hash | `{user id}|{network}` → when (whose ban covers which network) |
//! | `P:locked` | hash | locked room → when |
//! | `P:audit` | list | the audit log, JSON entries, newest first (the newest 100,000) |
//! | `P:upload:{id}` | hash | an upload's `room`, `owner`, `file` (JSON), `size`, `created_at`, and once sent `seq`; `removed` once its bytes are to go |
//! | `P:uploads:unsent` | zset | uploads not sent yet, by creation time |
//! | `P:uploads:removed` | zset | uploads whose bytes are to go, by when |
//! | `P:uploads:bytes` | string | the bytes of every recorded upload |
//! | `P:reads` | channel | read marks, `{"user","room","seq"}` (every node hands them to that person's browser streams) |
//! | `P:sessions:ended` | channel | the ids of sessions that ended (every node closes their streams) |

use crate::domain::{RoomName, Seq};

/// Every key of one deployment: its prefix `P`, laid out for one Redis or for a cluster.
/// In a cluster a room's keys carry the room as their hash tag (`P:{lobby}:seq`), so a
/// room's scripts run on one shard, and the global keys share one (`{P}:rooms`); on one
/// Redis they are untagged as above (docs/redis-cluster.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyspace {
    prefix: String,
    cluster: bool,
    /// What every global key starts with: `P`, or `{P}` in a cluster.
    global: String,
}

impl Keyspace {
    /// The layout for one Redis (with or without replicas).
    pub fn single(prefix: &str) -> Self {
        Self {
            prefix: prefix.to_owned(),
            cluster: false,
            global: prefix.to_owned(),
        }
    }

    /// The layout for a Redis Cluster: hash tags keep each room's keys on one shard.
    pub fn cluster(prefix: &str) -> Self {
        Self {
            prefix: prefix.to_owned(),
            cluster: true,
            global: format!("{{{prefix}}}"),
        }
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Whether this is a cluster's layout.
    pub fn is_cluster(&self) -> bool {
        self.cluster
    }

    /// How a room's events are announced on its channel: `SPUBLISH` in a cluster (sharded
    /// pub/sub: only the room's shard carries it), `PUBLISH` on one Redis.
    pub fn room_publish(&self) -> &'static str {
        if self.cluster {
            "SPUBLISH"
        } else {
            "PUBLISH"
        }
    }

    /// The keys of `room`.
    pub fn room(&self, room: &RoomName) -> RoomKeys {
        let base = if self.cluster {
            format!("{}:{{{room}}}", self.prefix)
        } else {
            format!("{}:{room}", self.prefix)
        };
        RoomKeys {
            base,
            publish: self.room_publish(),
        }
    }

    /// The hash that holds `room`'s message count, in the field named for the room: one
    /// hash for every room on one Redis (`P:counts`), the room's own in a cluster
    /// (`P:{room}:counts`, beside the scripts that count).
    pub fn counts_of(&self, room: &RoomName) -> String {
        if self.cluster {
            format!("{}:counts", self.room(room).base)
        } else {
            self.global().counts()
        }
    }

    /// A session: untagged, so a cluster spreads sessions over its shards by their ids.
    pub fn session(&self, id: &str) -> String {
        format!("{}:session:{id}", self.prefix)
    }

    /// The keys that are not a room's.
    pub fn global(&self) -> GlobalKeys<'_> {
        GlobalKeys(&self.global)
    }

    /// The room whose announcement channel is `channel`.
    pub fn room_of_channel(&self, channel: &str) -> Option<RoomName> {
        let room = channel
            .strip_prefix(self.prefix.as_str())?
            .strip_prefix(':')?
            .strip_suffix(":notify")?;
        let room = if self.cluster {
            room.strip_prefix('{')?.strip_suffix('}')?
        } else {
            room
        };
        RoomName::parse(room).ok()
    }
}

/// The keys of one room.
pub struct RoomKeys {
    base: String,
    publish: &'static str,
}

impl RoomKeys {
    pub fn seq(&self) -> String {
        format!("{}:seq", self.base)
    }
    pub fn log(&self) -> String {
        format!("{}:log", self.base)
    }
    pub fn order(&self) -> String {
        format!("{}:order", self.base)
    }
    pub fn client_ids(&self) -> String {
        format!("{}:cids", self.base)
    }
    /// What every message key of the room starts with (the append script adds the seq).
    pub fn message_prefix(&self) -> String {
        format!("{}:m:", self.base)
    }
    pub fn message(&self, seq: Seq) -> String {
        format!("{}:m:{seq}", self.base)
    }
    pub fn presence(&self) -> String {
        format!("{}:presence", self.base)
    }
    pub fn private(&self) -> String {
        format!("{}:private", self.base)
    }
    pub fn members(&self) -> String {
        format!("{}:members", self.base)
    }
    /// Who asked to be notified of every message of the room (a set of user ids).
    pub fn notified_of_everything(&self) -> String {
        format!("{}:notify_every", self.base)
    }
    /// What the keys of a private room's own search terms start with (the term follows).
    pub fn search_term_prefix(&self) -> String {
        format!("{}:search:w:", self.base)
    }
    /// The room's webhooks.
    pub fn webhooks(&self) -> String {
        format!("{}:hooks", self.base)
    }
    /// Its pinned messages.
    pub fn pins(&self) -> String {
        format!("{}:pins", self.base)
    }
    /// What the key of each upload's claim in the room starts with (its id follows).
    pub fn upload_claim_prefix(&self) -> String {
        format!("{}:upload:", self.base)
    }
    /// An upload's claim in the room: who may send it, and the message that did.
    pub fn upload_claim(&self, id: &str) -> String {
        format!("{}{id}", self.upload_claim_prefix())
    }
    /// The newest seq retention removed.
    pub fn cut(&self) -> String {
        format!("{}:cut", self.base)
    }
    /// The channel its events are announced on.
    pub fn channel(&self) -> String {
        format!("{}:notify", self.base)
    }
    /// The command that announces on it (`PUBLISH`, or `SPUBLISH` in a cluster), as the
    /// scripts take it.
    pub fn publish(&self) -> &'static str {
        self.publish
    }
}

/// The keys that are not a room's.
#[derive(Debug, Clone, Copy)]
pub struct GlobalKeys<'a>(pub &'a str);

impl GlobalKeys<'_> {
    pub fn rooms(&self) -> String {
        format!("{}:rooms", self.0)
    }
    pub fn counts(&self) -> String {
        format!("{}:counts", self.0)
    }
    /// The names of the private rooms.
    pub fn private_rooms(&self) -> String {
        format!("{}:private", self.0)
    }
    /// The counter of search ids.
    pub fn search_ids(&self) -> String {
        format!("{}:search:next", self.0)
    }
    /// What the key of every search term starts with (the term follows).
    pub fn search_term_prefix(&self) -> String {
        format!("{}:search:w:", self.0)
    }
    pub fn search_term(&self, term: &str) -> String {
        format!("{}{term}", self.search_term_prefix())
    }
    /// A person's joined rooms (never a room's key: those end in a fixed word or a seq
    /// right after the room's name).
    pub fn joined(&self, user: &str) -> String {
        format!("{}:user:{user}:rooms", self.0)
    }
    /// What each of a person's joined rooms notifies them of.
    pub fn notify_levels(&self, user: &str) -> String {
        format!("{}:user:{user}:notify", self.0)
    }
    /// An account (user ids are 32 hex digits: never a room's name followed by a word).
    pub fn account(&self, user: &str) -> String {
        format!("{}:account:{user}", self.0)
    }
    /// Every account's folded name → its user id.
    pub fn account_names(&self) -> String {
        format!("{}:account-names", self.0)
    }
    /// A person's sessions, by creation time.
    pub fn sessions_of(&self, user: &str) -> String {
        format!("{}:user:{user}:sessions", self.0)
    }
    /// A device link, API token or webhook (ids are 32 hex digits).
    pub fn token(&self, id: &str) -> String {
        format!("{}:token:{id}", self.0)
    }
    /// A person's tokens of one kind, by creation time.
    pub fn tokens_of(&self, user: &str, kind: &str) -> String {
        format!("{}:user:{user}:tokens:{kind}", self.0)
    }
    /// A passkey, by its credential id (base64url).
    pub fn passkey(&self, id: &str) -> String {
        format!("{}:passkey:{id}", self.0)
    }
    /// A person's passkeys, by creation time.
    pub fn passkeys_of(&self, user: &str) -> String {
        format!("{}:user:{user}:passkeys", self.0)
    }
    /// What every person's push subscriptions' key starts with (their id, then `:push`).
    pub fn user_prefix(&self) -> String {
        format!("{}:user:", self.0)
    }
    /// A person's push subscriptions: endpoint → the subscription (JSON).
    pub fn push_of(&self, user: &str) -> String {
        format!("{}{user}:push", self.user_prefix())
    }
    /// Whose each push endpoint is.
    pub fn push_owners(&self) -> String {
        format!("{}:push:owners", self.0)
    }
    /// Who is banned.
    pub fn bans(&self) -> String {
        format!("{}:bans", self.0)
    }
    /// The networks a person acted from lately.
    pub fn addresses_of(&self, user: &str) -> String {
        format!("{}:user:{user}:addresses", self.0)
    }
    /// The banned networks.
    pub fn address_bans(&self) -> String {
        format!("{}:address-bans", self.0)
    }
    /// The locked rooms.
    pub fn locked_rooms(&self) -> String {
        format!("{}:locked", self.0)
    }
    /// The audit log.
    pub fn audit_log(&self) -> String {
        format!("{}:audit", self.0)
    }
    /// What every upload's key starts with (its id follows: 32 hex digits).
    pub fn upload_prefix(&self) -> String {
        format!("{}:upload:", self.0)
    }
    pub fn upload(&self, id: &str) -> String {
        format!("{}{id}", self.upload_prefix())
    }
    pub fn uploads_unsent(&self) -> String {
        format!("{}:uploads:unsent", self.0)
    }
    pub fn uploads_removed(&self) -> String {
        format!("{}:uploads:removed", self.0)
    }
    pub fn uploads_bytes(&self) -> String {
        format!("{}:uploads:bytes", self.0)
    }
    /// The bytes of each person's uploads not sent yet (a hash by person).
    pub fn uploads_unsent_bytes(&self) -> String {
        format!("{}:uploads:unsent_bytes", self.0)
    }
    /// The channel of read marks (whose, which room, up to which seq).
    pub fn reads(&self) -> String {
        format!("{}:reads", self.0)
    }
    /// The channel that tells every node a session ended.
    pub fn sessions_ended(&self) -> String {
        format!("{}:sessions:ended", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_room_is_read_back_from_its_channel_under_its_prefix_only() {
        let lobby = RoomName::lobby();
        let keys = Keyspace::single("chat");
        let channel = keys.room(&lobby).channel();
        assert_eq!(channel, "chat:lobby:notify");
        assert_eq!(keys.room_of_channel(&channel), Some(lobby.clone()));
        assert_eq!(Keyspace::single("other").room_of_channel(&channel), None);
        assert_eq!(keys.room_of_channel("chat:lobby:presence"), None);
        assert_eq!(Keyspace::cluster("chat").room_of_channel(&channel), None);
    }

    #[test]
    fn in_a_cluster_a_room_is_its_keys_hash_tag_and_global_keys_share_one() {
        let lobby = RoomName::lobby();
        let keys = Keyspace::cluster("chat");
        assert_eq!(keys.room(&lobby).seq(), "chat:{lobby}:seq");
        assert_eq!(keys.room(&lobby).message(Seq(7)), "chat:{lobby}:m:7");
        assert_eq!(keys.global().rooms(), "{chat}:rooms");
        assert_eq!(keys.global().search_term("word"), "{chat}:search:w:word");
        let channel = keys.room(&lobby).channel();
        assert_eq!(channel, "chat:{lobby}:notify");
        assert_eq!(keys.room_of_channel(&channel), Some(lobby));
    }

    #[test]
    fn a_session_carries_no_hash_tag_so_a_cluster_spreads_them_by_id() {
        let id = "0123456789abcdef0123456789abcdef";
        let session = Keyspace::cluster("chat").session(id);
        assert_eq!(session, format!("chat:session:{id}"));
        assert!(!session.contains('{'));
        assert_eq!(Keyspace::single("chat").session(id), session);
    }
}
