//! Retention: a pass removes every message sent before the horizon, with its events (and
//! the later events about it), its search entries and its count; the room remembers where
//! it was cut, and its seqs go on from there even when nothing is left.

use super::{message, on_both, person, room, Backend};
use chat::domain::{
    Attachment, Emoji, LogEvent, OnlineUser, ReactionOp, SearchQuery, Seq, UploadId,
};
use chat::server::store::{PinRequest, ReactionRequest, Store, StoredUpload, UploadBounds};

/// Stores `text` by `author` in `room`, sent at `at`; its seq.
async fn sent_at(
    store: &dyn Store,
    room_name: &str,
    author: &OnlineUser,
    text: &str,
    at: i64,
) -> Seq {
    let mut new = message(room_name, author, text, None);
    new.sent_at = at;
    store
        .append(new)
        .await
        .expect("append")
        .expect("not refused")
        .into_message()
        .seq
}

/// `by` reacts 👍 to message `target` of `room_name` at `at`.
async fn thumbs_up(store: &dyn Store, room_name: &str, target: Seq, by: &OnlineUser, at: i64) {
    store
        .react(ReactionRequest {
            room: room(room_name),
            target,
            by: by.clone(),
            emoji: Emoji::parse("👍").expect("emoji"),
            op: ReactionOp::Add,
            at,
        })
        .await
        .expect("react")
        .expect("reacted");
}

async fn found(store: &dyn Store, reader: &OnlineUser, words: &str) -> Vec<(String, u64)> {
    let query = SearchQuery::parse(words).expect("query");
    let page = store
        .search(&query, None, &reader.id, None, 20)
        .await
        .expect("search");
    page.results
        .iter()
        .map(|m| (m.room.to_string(), m.seq.get()))
        .collect()
}

async fn retention_removes_what_is_older_and_seqs_go_on(b: &Backend) {
    let (ann, bob) = (person(1, "ann"), person(2, "bob"));
    let store = b.store.as_ref();
    // The oldest message carries a file.
    let file = UploadId::from_random(77);
    let upload = StoredUpload {
        room: room("lobby"),
        owner: ann.id.clone(),
        file: Attachment {
            id: file.clone(),
            url: file.url(),
            name: "minutes.txt".into(),
            size: 10,
            content_type: "text/plain".into(),
            width: None,
            height: None,
            thumb_url: None,
        },
        created_at: 900,
        message: None,
        removed: false,
    };
    let bounds = UploadBounds {
        total_bytes: None,
        unsent_per_owner: 1_000,
    };
    store
        .record_upload(&upload, bounds)
        .await
        .expect("record")
        .expect("fits");
    let mut with_file = message("lobby", &ann, "quarterly one", None);
    (with_file.sent_at, with_file.attachments) = (1_000, vec![file.clone()]);
    let old = store
        .append(with_file)
        .await
        .expect("append")
        .expect("not refused")
        .into_message()
        .seq;
    sent_at(store, "lobby", &ann, "quarterly two", 2_000).await;
    let new = sent_at(store, "lobby", &ann, "quarterly three", 10_000).await;
    // Later events about an old message, and one about the new.
    thumbs_up(store, "lobby", old, &bob, 10_500).await;
    store
        .pin(PinRequest {
            room: room("lobby"),
            target: new,
            by: bob.clone(),
            pinned: true,
            at: 10_600,
        })
        .await
        .expect("pin")
        .expect("allowed");
    let dust = sent_at(store, "attic", &ann, "quarterly dust", 1_500).await;
    sent_at(store, "attic", &ann, "more dust", 1_600).await;
    // The attic's newest event is about a message that goes: its seq must not come again.
    thumbs_up(store, "attic", dust, &bob, 10_700).await;
    assert_eq!(found(store, &ann, "quarterly").await.len(), 4);

    let forgotten = store.forget_before(5_000).await.expect("retention");
    assert_eq!(forgotten.messages, 4);
    let mut cut: Vec<&str> = forgotten.rooms.iter().map(|(r, _)| r.as_str()).collect();
    cut.sort_unstable();
    assert_eq!(cut, vec!["attic", "lobby"]);

    // What replays and pages show is what is left.
    let replayed: Vec<(u64, &str)> = store
        .read_after(&room("lobby"), Seq::ZERO, 100)
        .await
        .expect("replay")
        .iter()
        .map(|e| {
            let kind = match e {
                LogEvent::Message(_) => "message",
                LogEvent::Pin(_) => "pin",
                _ => "other",
            };
            (e.seq().get(), kind)
        })
        .collect();
    assert_eq!(
        replayed,
        vec![(3, "message"), (5, "pin")],
        "the reaction on a removed message went too"
    );
    let shown: Vec<u64> = store
        .latest(&room("lobby"), 50, None)
        .await
        .expect("latest")
        .iter()
        .map(|m| m.seq.get())
        .collect();
    assert_eq!(shown, vec![3]);
    assert_eq!(
        store.message(&room("lobby"), old).await.expect("read"),
        None
    );
    // Its file is the janitor's now.
    assert!(
        store
            .upload(&file)
            .await
            .expect("upload")
            .expect("recorded")
            .removed
    );
    assert_eq!(
        store.uploads_to_remove(0, 10).await.expect("to remove"),
        vec![file]
    );
    assert_eq!(
        found(store, &ann, "quarterly").await,
        vec![("lobby".to_owned(), 3)]
    );
    assert_eq!(found(store, &ann, "dust").await, vec![]);
    assert_eq!(
        store
            .message_counts(&[room("lobby"), room("attic")])
            .await
            .expect("counts"),
        vec![1, 0]
    );

    // Where each room was cut; an emptied room goes on from its last seq.
    assert_eq!(store.log_cut(&room("lobby")).await.expect("cut"), Seq(2));
    assert!(store.log_cut(&room("attic")).await.expect("cut") >= Seq(2));
    assert_eq!(
        store.log_cut(&room("kitchen")).await.expect("cut"),
        Seq::ZERO
    );
    assert_eq!(store.last_seq(&room("attic")).await.expect("last"), Seq(3));
    // A room that had messages stays public, however empty retention left it.
    assert_eq!(
        store.privacy(&room("attic")).await.expect("privacy"),
        chat::server::store::Privacy::Public { has_messages: true }
    );
    assert!(!store
        .create_private(&room("attic"), &bob, 30_000)
        .await
        .expect("create"));
    assert_eq!(sent_at(store, "attic", &ann, "swept", 20_000).await, Seq(4));
    assert_eq!(
        sent_at(store, "lobby", &ann, "on we go", 20_000).await,
        Seq(6)
    );

    // A second pass finds nothing more.
    let again = store.forget_before(5_000).await.expect("retention");
    assert_eq!((again.messages, again.rooms.len()), (0, 0));
}

/// A room with more old messages than one batch takes is cut all the same.
async fn retention_cuts_a_long_history_in_batches(b: &Backend) {
    let ann = person(1, "ann");
    let store = b.store.as_ref();
    for i in 0..1_200 {
        sent_at(store, "archive", &ann, &format!("old {i}"), 1_000 + i).await;
    }
    sent_at(store, "archive", &ann, "kept", 50_000).await;
    let forgotten = store.forget_before(40_000).await.expect("retention");
    assert_eq!(forgotten.messages, 1_200);
    assert_eq!(forgotten.rooms, vec![(room("archive"), Seq(1_200))]);
    let left = store
        .read_after(&room("archive"), Seq::ZERO, 10)
        .await
        .expect("replay");
    assert_eq!(
        left.iter().map(|e| e.seq().get()).collect::<Vec<_>>(),
        vec![1_201]
    );
}

on_both!(
    retention_removes_what_is_older_and_seqs_go_on,
    retention_cuts_a_long_history_in_batches,
);
