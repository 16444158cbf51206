//! Search: words by prefix, following edits and deletes at once, newest first in pages with
//! an opaque cursor, and never a private room to someone who is not its member.

use super::{on_both, person, room, send, Backend};
use chat::domain::{MessageBody, SearchCursor, SearchQuery};
use chat::server::store::{DeleteRequest, EditRequest};

async fn search_follows_edits_and_deletes(b: &Backend) {
    let store = b.store.as_ref();
    let ann = person(1, "ann");
    let lobby = room("lobby");
    let seq = send(store, "lobby", &ann, "Deploying the tower tonight").await;
    send(store, "lobby", &ann, "nothing to see").await;
    let find = |q: &str| {
        let query = SearchQuery::parse(q).expect("query");
        let ann = ann.id.clone();
        async move {
            store
                .search(&query, None, &ann, None, 20)
                .await
                .expect("search")
                .results
                .into_iter()
                .map(|found| found.seq)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(find("deplo").await, [seq], "a prefix, in any case");
    assert_eq!(find("deplo tow").await, [seq], "every word");
    assert!(find("deplo nothing").await.is_empty());
    store
        .edit(EditRequest {
            room: lobby.clone(),
            target: seq,
            by: ann.id.clone(),
            body: MessageBody::parse("Launching the tower").expect("body"),
            at: 2,
        })
        .await
        .expect("edit")
        .expect("allowed");
    assert!(find("deplo").await.is_empty(), "never its old words");
    assert_eq!(find("launch").await, [seq], "its new words at once");
    store
        .delete(DeleteRequest {
            room: lobby,
            target: seq,
            by: ann.id.clone(),
            at: 3,
            as_moderator: false,
        })
        .await
        .expect("delete")
        .expect("allowed");
    assert!(
        find("launch").await.is_empty(),
        "a deleted message is not found"
    );
}

async fn search_pages_newest_first_with_an_opaque_cursor(b: &Backend) {
    let store = b.store.as_ref();
    let ann = person(1, "ann");
    for n in 1..=25 {
        send(store, "lobby", &ann, &format!("release note {n}")).await;
    }
    send(store, "elsewhere", &ann, "release party").await;
    let query = SearchQuery::parse("release").expect("query");
    let first = store
        .search(&query, Some(&room("lobby")), &ann.id, None, 20)
        .await
        .expect("search");
    let seqs: Vec<u64> = first.results.iter().map(|f| f.seq.get()).collect();
    assert_eq!(seqs, (6..=25).rev().collect::<Vec<_>>(), "newest first");
    let older = first.older.expect("more");
    assert!(!older.contains("21"), "opaque: {older}");
    let cursor = SearchCursor::parse(&older).expect("cursor");
    let second = store
        .search(&query, Some(&room("lobby")), &ann.id, Some(&cursor), 20)
        .await
        .expect("search");
    let seqs: Vec<u64> = second.results.iter().map(|f| f.seq.get()).collect();
    assert_eq!(seqs, [5, 4, 3, 2, 1]);
    assert_eq!(second.older, None);
    let everywhere = store
        .search(&query, None, &ann.id, None, 30)
        .await
        .expect("search");
    assert_eq!(everywhere.results.len(), 26, "all rooms");
}

async fn search_never_shows_a_private_room_to_a_stranger(b: &Backend) {
    let store = b.store.as_ref();
    let (ann, eve) = (person(1, "ann"), person(2, "eve"));
    let plans = room("plans");
    assert!(store.create_private(&plans, &ann, 0).await.expect("create"));
    send(store, "plans", &ann, "merger secret").await;
    for n in 0..3 {
        send(store, "lobby", &eve, &format!("merger rumour {n}")).await;
    }
    let query = SearchQuery::parse("merger").expect("query");
    let seen_by = |who: chat::domain::UserId| {
        let query = query.clone();
        async move {
            store
                .search(&query, None, &who, None, 3)
                .await
                .expect("search")
        }
    };
    let eve_sees = seen_by(eve.id.clone()).await;
    assert_eq!(eve_sees.results.len(), 3);
    assert!(eve_sees.results.iter().all(|f| f.room == room("lobby")));
    assert_eq!(
        eve_sees.older, None,
        "nothing more: the private match is not counted"
    );
    let ann_sees = seen_by(ann.id.clone()).await;
    assert_eq!(ann_sees.results.len(), 3);
    let older = ann_sees.older.expect("a member has one more");
    let cursor = SearchCursor::parse(&older).expect("cursor");
    let next = store
        .search(&query, None, &ann.id, Some(&cursor), 3)
        .await
        .expect("search");
    assert_eq!(next.results.len(), 1);
    assert_eq!(next.results[0].room, plans, "a member finds it");
}

on_both!(
    search_follows_edits_and_deletes,
    search_pages_newest_first_with_an_opaque_cursor,
    search_never_shows_a_private_room_to_a_stranger,
);
