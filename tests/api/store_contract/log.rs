//! The log: seqs in order, once per retry key and author, edits, deletes and reactions as
//! log events, resume from any seq, pages of messages, replies' quotes.

use super::{message, on_both, person, room, send, Backend};
use chat::domain::{Emoji, LogEvent, MessageBody, ReactionOp, Seq, UserId};
use chat::server::store::{Appended, DeleteRequest, EditRequest, ReactionRequest, Refusal};
use std::collections::BTreeSet;

async fn concurrent_appends_get_consecutive_seqs_in_order(b: &Backend) {
    let ann = person(1, "ann");
    let tasks: Vec<_> = (0..100)
        .map(|n| {
            let (store, ann) = (b.store.clone(), ann.clone());
            tokio::spawn(async move {
                store
                    .append(message("lobby", &ann, &format!("m{n}"), None))
                    .await
                    .expect("append")
                    .expect("not refused")
                    .into_message()
                    .seq
            })
        })
        .collect();
    let mut seqs = BTreeSet::new();
    for task in tasks {
        seqs.insert(task.await.expect("task").get());
    }
    assert_eq!(seqs, (1..=100).collect(), "every seq once, none skipped");
    let lobby = room("lobby");
    assert_eq!(b.store.last_seq(&lobby).await.expect("seq"), Seq(100));
    let newest = b.store.latest(&lobby, 50, None).await.expect("latest");
    let shown: Vec<u64> = newest.iter().map(|m| m.seq.get()).collect();
    assert_eq!(shown, (51..=100).collect::<Vec<_>>(), "oldest first");
    // Seqs are per room.
    assert_eq!(
        send(b.store.as_ref(), "elsewhere", &ann, "hi").await,
        Seq(1)
    );
    let rooms = b.store.rooms(10).await.expect("rooms");
    let lobby_row = rooms.iter().find(|r| r.room == lobby).expect("listed");
    assert_eq!(lobby_row.messages, 100);
}

async fn a_retry_stores_once_and_the_key_belongs_to_its_author(b: &Backend) {
    let (ann, bob) = (person(1, "ann"), person(2, "bob"));
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (store, ann) = (b.store.clone(), ann.clone());
            tokio::spawn(async move {
                store
                    .append(message("lobby", &ann, "once", Some("key-1")))
                    .await
                    .expect("append")
                    .expect("not refused")
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.expect("task"));
    }
    let new: Vec<_> = answers
        .iter()
        .filter(|a| matches!(a, Appended::New(_)))
        .collect();
    assert_eq!(new.len(), 1, "one retry of twenty stores it");
    let stored = new[0].clone().into_message();
    assert!(answers.iter().all(|a| a.clone().into_message() == stored));
    let lobby = room("lobby");
    assert_eq!(b.store.last_seq(&lobby).await.expect("seq"), Seq(1));
    let theirs = b
        .store
        .append(message("lobby", &bob, "not ann's", Some("key-1")))
        .await
        .expect("append")
        .expect("not refused");
    assert!(matches!(theirs, Appended::New(_)), "{theirs:?}");
}

async fn edits_deletes_and_reactions_are_log_events(b: &Backend) {
    let (ann, bob) = (person(1, "ann"), person(2, "bob"));
    let lobby = room("lobby");
    let first = send(b.store.as_ref(), "lobby", &ann, "teh plan").await;
    let edit = |by: &UserId, target: Seq, body: &str| EditRequest {
        room: lobby.clone(),
        target,
        by: by.clone(),
        body: MessageBody::parse(body).expect("body"),
        at: 5,
    };
    let store = b.store.as_ref();
    assert_eq!(
        store
            .edit(edit(&bob.id, first, "mine now"))
            .await
            .expect("edit"),
        Err(Refusal::NotYours)
    );
    assert_eq!(
        store.edit(edit(&ann.id, Seq(99), "x")).await.expect("edit"),
        Err(Refusal::NotFound)
    );
    let edited = store
        .edit(edit(&ann.id, first, "the plan"))
        .await
        .expect("edit")
        .expect("allowed");
    assert_eq!(edited.seq, Seq(2));
    let react = |op| ReactionRequest {
        room: lobby.clone(),
        target: first,
        by: bob.clone(),
        emoji: Emoji::parse("👍").expect("emoji"),
        op,
        at: 6,
    };
    let added = store.react(react(ReactionOp::Add)).await.expect("react");
    assert_eq!(added.expect("allowed").map(|r| r.seq), Some(Seq(3)));
    let again = store.react(react(ReactionOp::Add)).await.expect("react");
    assert_eq!(again, Ok(None), "already there: nothing logged");
    let page = store.latest(&lobby, 10, Some(&bob.id)).await.expect("page");
    assert_eq!(page[0].reactions.0[0].count, 1);
    assert_eq!(page[0].reactions_at, Seq(3));
    let delete = DeleteRequest {
        room: lobby.clone(),
        target: first,
        by: ann.id.clone(),
        at: 7,
        as_moderator: false,
    };
    let deleted = store.delete(delete.clone()).await.expect("delete");
    assert_eq!(deleted.map(|d| d.seq), Ok(Seq(4)));
    assert_eq!(
        store.delete(delete).await.expect("delete"),
        Err(Refusal::Deleted)
    );
    assert_eq!(
        store.react(react(ReactionOp::Add)).await.expect("react"),
        Err(Refusal::Deleted)
    );

    let log = store.read_after(&lobby, Seq::ZERO, 10).await.expect("read");
    let kinds: Vec<(&str, u64)> = log
        .iter()
        .map(|e| (e.kind().name(), e.seq().get()))
        .collect();
    assert_eq!(
        kinds,
        [("message", 1), ("edit", 2), ("reaction", 3), ("delete", 4)]
    );
    for event in &log {
        match event {
            LogEvent::Message(m) => {
                assert!(m.body.is_empty() && m.deleted, "as it is now: {m:?}");
                assert!(m.reactions.is_empty(), "an event carries no reactions");
            }
            LogEvent::Edit(e) => assert_eq!(e.body, "", "a replay never brings words back"),
            LogEvent::Reaction(r) => {
                assert_eq!((r.user.id.clone(), r.op), (bob.id.clone(), ReactionOp::Add))
            }
            LogEvent::Delete(d) => assert_eq!(d.target, first),
            LogEvent::Pin(p) => panic!("nothing was pinned: {p:?}"),
        }
    }
    let page = store.latest(&lobby, 10, None).await.expect("page");
    assert!(page[0].deleted && page[0].reactions.is_empty());
}

async fn resuming_reads_exactly_the_events_after_a_seq(b: &Backend) {
    let ann = person(1, "ann");
    let lobby = room("lobby");
    for n in 1..=30 {
        send(b.store.as_ref(), "lobby", &ann, &format!("m{n}")).await;
    }
    let seqs = |events: Vec<LogEvent>| events.iter().map(|e| e.seq().get()).collect::<Vec<_>>();
    let store = b.store.as_ref();
    assert_eq!(
        seqs(store.read_after(&lobby, Seq(10), 5).await.expect("read")),
        [11, 12, 13, 14, 15]
    );
    assert!(store
        .read_after(&lobby, Seq(30), 5)
        .await
        .expect("read")
        .is_empty());
    assert_eq!(
        store
            .read_after(&lobby, Seq::ZERO, 100)
            .await
            .expect("read")
            .len(),
        30
    );
    let bodies =
        |page: Vec<chat::domain::ChatMessage>| page.into_iter().map(|m| m.body).collect::<Vec<_>>();
    assert_eq!(
        bodies(
            store
                .before(&lobby, Seq(11), 3, None)
                .await
                .expect("before")
        ),
        ["m8", "m9", "m10"]
    );
    assert_eq!(
        bodies(store.after(&lobby, Seq(27), 10, None).await.expect("after")),
        ["m28", "m29", "m30"]
    );
    let seventh = store.message(&lobby, Seq(7)).await.expect("read");
    assert_eq!(seventh.map(|m| m.body), Some("m7".to_owned()));
    assert_eq!(store.message(&lobby, Seq(31)).await.expect("read"), None);
    assert!(store
        .read_after(&room("elsewhere"), Seq::ZERO, 10)
        .await
        .expect("read")
        .is_empty());
}

async fn a_reply_quotes_its_original_as_it_is_now(b: &Backend) {
    let (ann, bob) = (person(1, "ann"), person(2, "bob"));
    let lobby = room("lobby");
    let original = send(b.store.as_ref(), "lobby", &ann, "the plan\nin two lines").await;
    let mut reply = message("lobby", &bob, "sounds good", None);
    reply.reply_to = Some(original);
    let reply = b
        .store
        .append(reply)
        .await
        .expect("append")
        .expect("not refused")
        .into_message();
    let quote = reply.quote.expect("quoted");
    assert_eq!(
        (quote.author.as_str(), quote.excerpt.as_str()),
        ("ann", "the plan")
    );
    b.store
        .edit(EditRequest {
            room: lobby.clone(),
            target: original,
            by: ann.id.clone(),
            body: MessageBody::parse("a better plan").expect("body"),
            at: 3,
        })
        .await
        .expect("edit")
        .expect("allowed");
    let page = b.store.latest(&lobby, 10, None).await.expect("page");
    let quote = page[1].quote.clone().expect("quoted");
    assert_eq!(
        (quote.excerpt.as_str(), quote.edited),
        ("a better plan", true)
    );
}

on_both!(
    concurrent_appends_get_consecutive_seqs_in_order,
    a_retry_stores_once_and_the_key_belongs_to_its_author,
    edits_deletes_and_reactions_are_log_events,
    resuming_reads_exactly_the_events_after_a_seq,
    a_reply_quotes_its_original_as_it_is_now,
);
