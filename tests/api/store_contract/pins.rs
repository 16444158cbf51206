//! Pins: log events with their own seq, listed the most recently pinned first, at most
//! `MAX_PINS_PER_ROOM` per room, and gone with a deleted message.

use super::{message, on_both, person, room, send, Backend};
use chat::domain::{LogEvent, OnlineUser, Seq, MAX_PINS_PER_ROOM};
use chat::server::store::{DeleteRequest, PinRequest, Refusal, Store};

fn pin(room_name: &str, target: Seq, by: &OnlineUser, pinned: bool) -> PinRequest {
    PinRequest {
        room: room(room_name),
        target,
        by: by.clone(),
        pinned,
        at: 9,
    }
}

async fn listed(store: &dyn Store, room_name: &str) -> Vec<u64> {
    let pins = store.pins(&room(room_name), None).await.expect("pins");
    assert!(pins.iter().all(|m| m.pinned && !m.deleted));
    pins.iter().map(|m| m.seq.get()).collect()
}

async fn pins_are_log_events_listed_newest_first_and_a_delete_unpins(b: &Backend) {
    let (ann, bob) = (person(1, "ann"), person(2, "bob"));
    let store = b.store.as_ref();
    let first = send(store, "lobby", &ann, "**the plan**").await;
    send(store, "lobby", &ann, "chatter").await;
    let third = send(store, "lobby", &ann, "the date").await;
    send(store, "elsewhere", &ann, "another room").await;

    let pinned = store
        .pin(pin("lobby", first, &bob, true))
        .await
        .expect("pin")
        .expect("allowed")
        .expect("logged");
    assert_eq!(
        (pinned.seq, pinned.target, pinned.pinned),
        (Seq(4), first, true)
    );
    assert_eq!(pinned.by, bob);
    let carried = pinned.message.expect("a pin carries its message");
    assert_eq!(
        (carried.body.as_str(), carried.pinned),
        ("**the plan**", true)
    );
    assert_eq!(
        store
            .pin(pin("lobby", first, &bob, true))
            .await
            .expect("pin"),
        Ok(None),
        "pinned already: nothing logged"
    );
    store
        .pin(pin("lobby", third, &ann, true))
        .await
        .expect("pin")
        .expect("allowed");
    assert_eq!(listed(store, "lobby").await, [3, 1], "the newest pin first");
    assert!(listed(store, "elsewhere").await.is_empty());
    let page = store.latest(&room("lobby"), 10, None).await.expect("page");
    let flags: Vec<bool> = page.iter().map(|m| m.pinned).collect();
    assert_eq!(flags, [true, false, true], "a page shows what is pinned");
    assert_eq!(
        store
            .pin(pin("lobby", Seq(99), &bob, true))
            .await
            .expect("pin"),
        Err(Refusal::NotFound)
    );

    let unpinned = store
        .pin(pin("lobby", first, &ann, false))
        .await
        .expect("unpin");
    assert_eq!(
        unpinned.expect("allowed").map(|p| (p.seq, p.message)),
        Some((Seq(6), None))
    );
    assert_eq!(
        store
            .pin(pin("lobby", first, &ann, false))
            .await
            .expect("unpin"),
        Ok(None),
        "not pinned: nothing logged"
    );
    assert_eq!(listed(store, "lobby").await, [3]);

    let delete = DeleteRequest {
        room: room("lobby"),
        target: third,
        by: ann.id.clone(),
        at: 10,
        as_moderator: false,
    };
    store
        .delete(delete)
        .await
        .expect("delete")
        .expect("allowed");
    assert!(
        listed(store, "lobby").await.is_empty(),
        "a deleted message is unpinned"
    );
    assert_eq!(
        store
            .pin(pin("lobby", third, &bob, true))
            .await
            .expect("pin"),
        Err(Refusal::Deleted)
    );

    let log = store
        .read_after(&room("lobby"), Seq(3), 10)
        .await
        .expect("read");
    let pins: Vec<(u64, u64, bool)> = log
        .iter()
        .filter_map(|event| match event {
            LogEvent::Pin(p) => Some((p.seq.get(), p.target.get(), p.pinned)),
            _ => None,
        })
        .collect();
    assert_eq!(
        pins,
        [(4, 1, true), (5, 3, true), (6, 1, false)],
        "replayed in order"
    );
    let resumed = store
        .read_after(&room("lobby"), Seq(5), 10)
        .await
        .expect("read");
    let kinds: Vec<(&str, u64)> = resumed
        .iter()
        .map(|e| (e.kind().name(), e.seq().get()))
        .collect();
    assert_eq!(
        kinds,
        [("pin", 6), ("delete", 7)],
        "a resume replays each once"
    );

    // A reply's pin carries it with the quote of what it answers, as the page shows it.
    let mut reply = message("lobby", &bob, "agreed", None);
    reply.reply_to = Some(first);
    let reply = store
        .append(reply)
        .await
        .expect("append")
        .expect("not refused")
        .into_message()
        .seq;
    let carried = store
        .pin(pin("lobby", reply, &ann, true))
        .await
        .expect("pin")
        .expect("allowed")
        .expect("logged")
        .message
        .expect("a pin carries its message");
    assert_eq!((carried.body.as_str(), carried.pinned), ("agreed", true));
    let quote = carried.quote.expect("the pinned reply's quote");
    assert_eq!(quote.author, "ann");
    assert!(quote.excerpt.contains("the plan"), "{}", quote.excerpt);
}

async fn a_room_keeps_a_bounded_number_of_pins(b: &Backend) {
    let ann = person(1, "ann");
    let store = b.store.as_ref();
    let mut seqs = Vec::new();
    for n in 0..=MAX_PINS_PER_ROOM {
        seqs.push(send(store, "lobby", &ann, &format!("m{n}")).await);
    }
    for seq in &seqs[..MAX_PINS_PER_ROOM] {
        store
            .pin(pin("lobby", *seq, &ann, true))
            .await
            .expect("pin")
            .expect("allowed");
    }
    let last = seqs[MAX_PINS_PER_ROOM];
    assert_eq!(
        store
            .pin(pin("lobby", last, &ann, true))
            .await
            .expect("pin"),
        Err(Refusal::TooManyPins)
    );
    store
        .pin(pin("lobby", seqs[0], &ann, false))
        .await
        .expect("unpin")
        .expect("allowed");
    store
        .pin(pin("lobby", last, &ann, true))
        .await
        .expect("pin")
        .expect("room again");
    assert_eq!(listed(store, "lobby").await.len(), MAX_PINS_PER_ROOM);
}

on_both!(
    pins_are_log_events_listed_newest_first_and_a_delete_unpins,
    a_room_keeps_a_bounded_number_of_pins,
);
