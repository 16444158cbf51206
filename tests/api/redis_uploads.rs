//! The Redis store's uploads through the crash windows of their two steps: what may carry a
//! file is its claim in its room, written in the same script as the message; the file's own
//! record (global keys, another shard in a cluster) follows in a second step. A node killed
//! between the two is simulated here by undoing the second step's writes by hand, against a
//! real `redis-server`.

use crate::redis_server::{fresh_prefix, keyspace, RedisServer};
use chat::domain::{
    Attachment, ClientId, MessageBody, Nickname, RoomName, SearchQuery, Seq, UploadId, UserId,
};
use chat::server::store::redis_keys::Keyspace;
use chat::server::store::{
    DeleteRequest, NewMessage, RedisStore, Refusal, Store, StoredUpload, UploadBounds, Uploads,
};

const SIZE: u64 = 600;

/// Ann may keep 1,000 bytes unsent: one file of 600, not two.
const BOUNDS: UploadBounds = UploadBounds {
    total_bytes: None,
    unsent_per_owner: 1_000,
};

struct Setup {
    redis: RedisServer,
    keys: Keyspace,
    store: RedisStore,
    ann: UserId,
}

async fn setup() -> Setup {
    let redis = RedisServer::start().await;
    let keys = keyspace(&fresh_prefix());
    let store = RedisStore::connect(&redis.url, &keys, 100)
        .await
        .expect("connect");
    Setup {
        redis,
        keys,
        store,
        ann: UserId::from_random(1),
    }
}

impl Setup {
    /// A file of ann's in the lobby, made at `created_at`.
    fn file(&self, n: u128, created_at: i64) -> StoredUpload {
        let id = UploadId::from_random(n);
        StoredUpload {
            room: RoomName::lobby(),
            owner: self.ann.clone(),
            file: Attachment {
                id: id.clone(),
                url: id.url(),
                name: format!("notes-{n}.txt"),
                size: SIZE,
                content_type: "text/plain".into(),
                width: None,
                height: None,
                thumb_url: None,
            },
            created_at,
            message: None,
            removed: false,
        }
    }

    /// Records a file of ann's in the lobby, made at `created_at`.
    async fn upload(&self, n: u128, created_at: i64) -> UploadId {
        let upload = self.file(n, created_at);
        self.store
            .record_upload(&upload, BOUNDS)
            .await
            .expect("record")
            .expect("within the bounds");
        upload.file.id
    }

    async fn send(&self, files: &[UploadId]) -> Result<Seq, Refusal> {
        self.send_as(files, None).await
    }

    /// Sends "the notes" with `files`, under `client_id` (a retry sends the same).
    async fn send_as(&self, files: &[UploadId], client_id: Option<&str>) -> Result<Seq, Refusal> {
        let message = NewMessage {
            room: RoomName::lobby(),
            author_id: self.ann.clone(),
            author: Nickname::guest(1),
            body: MessageBody::parse("the notes").expect("valid body"),
            sent_at: 2_000,
            client_id: client_id.map(|id| ClientId::parse(id).expect("valid key")),
            reply_to: None,
            mentions: Vec::new(),
            recheck_access: false,
            bot: false,
            attachments: files.to_vec(),
        };
        let appended = self.store.append(message).await.expect("append");
        appended.map(|appended| appended.into_message().seq)
    }

    async fn raw(&self) -> redis::aio::MultiplexedConnection {
        redis::Client::open(self.redis.url.as_str())
            .expect("url")
            .get_multiplexed_async_connection()
            .await
            .expect("raw connection")
    }

    /// Whether another file of 600 bytes fits in ann's unsent bytes.
    async fn another_fits(&self, n: u128) -> bool {
        self.store
            .record_upload(&self.file(n, 5_000), BOUNDS)
            .await
            .expect("record")
            .is_ok()
    }
}

#[tokio::test]
async fn a_file_whose_sent_step_died_with_its_node_is_kept_by_the_sweep() {
    let s = setup().await;
    let file = s.upload(7, 1_000).await;
    let seq = s.send(std::slice::from_ref(&file)).await.expect("sent");
    // The node dies after the room's script: the record still says unsent.
    let globals = s.keys.global();
    let () = redis::pipe()
        .hdel(globals.upload(file.as_str()), "seq")
        .ignore()
        .zadd(globals.uploads_unsent(), file.as_str(), 1_000)
        .ignore()
        .hincr(globals.uploads_unsent_bytes(), s.ann.as_str(), SIZE)
        .ignore()
        .query_async(&mut s.raw().await)
        .await
        .expect("undo the second step");
    let stored = s.store.upload(&file).await.expect("read").expect("there");
    assert_eq!(stored.message, Some(seq), "its claim knows the message");

    // The sweep of unsent files, long after: the message's file stays, and is counted sent.
    let to_remove = s
        .store
        .uploads_to_remove(i64::MAX, 10)
        .await
        .expect("sweep");
    assert!(!to_remove.contains(&file), "a sent file is never removed");
    let stored = s.store.upload(&file).await.expect("read").expect("there");
    assert_eq!((stored.message, stored.removed), (Some(seq), false));
    assert!(
        s.another_fits(8).await,
        "no longer counted in ann's unsent bytes"
    );
}

#[tokio::test]
async fn a_send_whose_second_step_died_is_filed_when_the_sender_sends_it_again() {
    let s = setup().await;
    let file = s.upload(7, 1_000).await;
    let cid = "2b6f0c1e-5a4d-4d3b-9c8e-7f1a2b3c4d5e";
    let seq = s
        .send_as(std::slice::from_ref(&file), Some(cid))
        .await
        .expect("sent");
    // The node dies after the room's script, before its second step: the room is off the
    // list, the message out of the shared index, the file's record unsent.
    let globals = s.keys.global();
    let member = format!("{}:{seq}", RoomName::lobby());
    let () = redis::pipe()
        .zrem(globals.rooms(), RoomName::lobby().as_str())
        .ignore()
        .zrem(globals.search_term("notes"), &member)
        .ignore()
        .hdel(globals.upload(file.as_str()), "seq")
        .ignore()
        .zadd(globals.uploads_unsent(), file.as_str(), 1_000)
        .ignore()
        .hincr(globals.uploads_unsent_bytes(), s.ann.as_str(), SIZE)
        .ignore()
        .query_async(&mut s.raw().await)
        .await
        .expect("undo the second step");
    assert!(!s.another_fits(8).await, "the file is counted unsent again");

    // The sender never heard back and sends it again: the same message, filed this time.
    let again = s.send_as(std::slice::from_ref(&file), Some(cid)).await;
    assert_eq!(again, Ok(seq), "the retry is the same message");
    let rooms = s.store.rooms(10).await.expect("rooms");
    assert!(
        rooms.iter().any(|r| r.room == RoomName::lobby()),
        "the room is not listed: {rooms:?}"
    );
    let query = SearchQuery::parse("notes").expect("query");
    let found = s
        .store
        .search(&query, None, &s.ann, None, 20)
        .await
        .expect("search");
    assert_eq!(
        found.results.iter().map(|m| m.seq).collect::<Vec<_>>(),
        [seq],
        "search does not find it"
    );
    assert!(
        s.another_fits(8).await,
        "the sent file is still counted unsent"
    );
}

#[tokio::test]
async fn a_deleted_messages_file_is_removed_even_when_its_record_was_not_marked() {
    let s = setup().await;
    let file = s.upload(7, 1_000).await;
    let seq = s.send(std::slice::from_ref(&file)).await.expect("sent");
    s.store
        .delete(DeleteRequest {
            room: RoomName::lobby(),
            target: seq,
            by: s.ann.clone(),
            at: 3_000,
            as_moderator: false,
        })
        .await
        .expect("delete")
        .expect("hers");
    // The node dies before marking the record.
    let globals = s.keys.global();
    let () = redis::pipe()
        .hdel(globals.upload(file.as_str()), "removed")
        .ignore()
        .zrem(globals.uploads_removed(), file.as_str())
        .ignore()
        .query_async(&mut s.raw().await)
        .await
        .expect("undo the second step");
    let stored = s.store.upload(&file).await.expect("read").expect("there");
    assert!(
        stored.removed,
        "the claim in the room says removed: never served again"
    );
    assert_eq!(
        s.send(std::slice::from_ref(&file)).await,
        Err(Refusal::BadAttachment),
        "and never carried again"
    );
}

#[tokio::test]
async fn an_unsent_file_past_its_time_is_carried_by_no_message_and_its_bytes_go() {
    let s = setup().await;
    let file = s.upload(7, 1_000).await;
    assert!(
        !s.another_fits(8).await,
        "ann's 1,000 unsent bytes are taken"
    );
    let to_remove = s.store.uploads_to_remove(1_001, 10).await.expect("sweep");
    assert_eq!(to_remove, vec![file.clone()]);
    assert_eq!(
        s.send(std::slice::from_ref(&file)).await,
        Err(Refusal::BadAttachment)
    );
    assert!(
        !s.store
            .withdraw_upload(&file, &s.ann, 2_000)
            .await
            .expect("withdraw"),
        "removed already"
    );
    assert!(s.another_fits(9).await, "its bytes left ann's unsent bytes");
    s.store.forget_upload(&file).await.expect("forget");
    assert_eq!(s.store.upload(&file).await.expect("read"), None);
    let claim: bool = redis::cmd("EXISTS")
        .arg(s.keys.room(&RoomName::lobby()).upload_claim(file.as_str()))
        .query_async(&mut s.raw().await)
        .await
        .expect("exists");
    assert!(!claim, "its claim goes with it");
}

#[tokio::test]
async fn a_file_is_carried_once_and_withdrawn_only_unsent() {
    let s = setup().await;
    let first = s.upload(7, 1_000).await;
    s.send(std::slice::from_ref(&first)).await.expect("sent");
    assert_eq!(
        s.send(std::slice::from_ref(&first)).await,
        Err(Refusal::BadAttachment),
        "carried once"
    );
    assert!(
        !s.store
            .withdraw_upload(&first, &s.ann, 3_000)
            .await
            .expect("withdraw"),
        "sent"
    );
    let second = s.upload(17, 4_000).await;
    assert!(!s.another_fits(8).await, "the second is unsent");
    assert!(
        !s.store
            .withdraw_upload(&second, &UserId::from_random(2), 5_000)
            .await
            .expect("withdraw"),
        "not his"
    );
    assert!(s
        .store
        .withdraw_upload(&second, &s.ann, 5_000)
        .await
        .expect("withdraw"));
    assert_eq!(
        s.send(std::slice::from_ref(&second)).await,
        Err(Refusal::BadAttachment),
        "withdrawn"
    );
    assert!(s.another_fits(9).await, "its bytes left ann's unsent bytes");
}
