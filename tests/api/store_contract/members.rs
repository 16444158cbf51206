//! Memberships: read marks that never move back, what a room notifies, names, leaving; and
//! private rooms, which only their members read and write.

use super::{message, on_both, person, room, send, Backend};
use chat::domain::{NotifyLevel, Seq};
use chat::server::store::{Privacy, Refusal};

async fn read_marks_never_move_back_and_joined_rooms_list_them(b: &Backend) {
    let ann = person(1, "ann");
    let store = b.store.as_ref();
    let lobby = room("lobby");
    for n in 0..5 {
        send(store, "lobby", &ann, &format!("m{n}")).await;
    }
    store.mark_read(&ann, &lobby, Seq(4)).await.expect("mark");
    store.mark_read(&ann, &lobby, Seq(2)).await.expect("mark");
    let joined = store.joined_rooms(&ann.id).await.expect("joined");
    assert_eq!(joined.len(), 1);
    assert_eq!(
        (joined[0].room.clone(), joined[0].read),
        (lobby.clone(), Seq(4))
    );
    assert_eq!(joined[0].notify, NotifyLevel::default());
    // Unread is what was logged after the mark.
    let unread = store
        .read_after(&lobby, joined[0].read, 100)
        .await
        .expect("read");
    assert_eq!(unread.len(), 1);

    assert!(store
        .set_notify(&ann.id, &lobby, NotifyLevel::Every)
        .await
        .expect("notify"));
    assert!(!store
        .set_notify(&ann.id, &room("never-joined"), NotifyLevel::Nothing)
        .await
        .expect("notify"));
    let joined = store.joined_rooms(&ann.id).await.expect("joined");
    assert_eq!(joined[0].notify, NotifyLevel::Every);

    store.leave_room(&ann.id, &lobby).await.expect("leave");
    assert!(store
        .joined_rooms(&ann.id)
        .await
        .expect("joined")
        .is_empty());
    assert!(!store.is_member(&ann.id, &lobby).await.expect("member"));
}

async fn members_are_known_by_the_name_the_room_knows_them_by(b: &Backend) {
    let store = b.store.as_ref();
    let lobby = room("lobby");
    let (ann, bob, cat) = (person(1, "ann"), person(2, "bob"), person(3, "cat"));
    for who in [&ann, &bob, &cat] {
        store.mark_read(who, &lobby, Seq::ZERO).await.expect("mark");
    }
    store
        .rename_member(&person(2, "robert"))
        .await
        .expect("rename");
    let names: Vec<String> = store
        .members(&lobby, 10)
        .await
        .expect("members")
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(names, ["ann", "cat", "robert"], "by name");
    let among = store
        .members_among(&lobby, &[cat.id.clone(), person(9, "x").id, ann.id.clone()])
        .await
        .expect("members");
    let among: Vec<&str> = among.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(among, ["cat", "ann"], "in the order asked, members only");
}

async fn private_rooms_let_in_their_members_only(b: &Backend) {
    let store = b.store.as_ref();
    let (ann, bob, eve) = (person(1, "ann"), person(2, "bob"), person(3, "eve"));
    let plans = room("plans");
    assert_eq!(
        store.privacy(&plans).await.expect("privacy"),
        Privacy::Public {
            has_messages: false
        }
    );
    assert!(store.create_private(&plans, &ann, 0).await.expect("create"));
    assert!(
        !store.create_private(&plans, &eve, 0).await.expect("create"),
        "taken"
    );
    assert_eq!(
        store.privacy(&room("lobby")).await.expect("privacy"),
        Privacy::Public {
            has_messages: false
        }
    );
    send(store, "lobby", &eve, "hello").await;
    assert_eq!(
        store.privacy(&room("lobby")).await.expect("privacy"),
        Privacy::Public { has_messages: true },
        "read again once it has a message"
    );
    assert!(
        !store
            .create_private(&room("lobby"), &eve, 0)
            .await
            .expect("create"),
        "a room with messages stays public"
    );
    let Privacy::Private {
        creator,
        invite_version,
        access_version,
    } = store.privacy(&plans).await.expect("privacy")
    else {
        panic!("private");
    };
    assert_eq!(creator, ann.id);
    assert!(store.is_member(&ann.id, &plans).await.expect("member"));

    send(store, "plans", &ann, "the secret").await;
    let refused = store
        .append(message("plans", &eve, "let me in", None))
        .await
        .expect("append");
    assert_eq!(
        refused,
        Err(Refusal::Private),
        "a stranger's write is refused"
    );
    store.mark_read(&eve, &plans, Seq(1)).await.expect("mark");
    assert!(
        !store.is_member(&eve.id, &plans).await.expect("member"),
        "reading marks never join a private room"
    );
    assert!(store
        .joined_rooms(&eve.id)
        .await
        .expect("joined")
        .is_empty());

    assert!(!store
        .join_by_invite(&bob, &plans, invite_version + 1)
        .await
        .expect("join"));
    assert!(store
        .join_by_invite(&bob, &plans, invite_version)
        .await
        .expect("join"));
    assert!(store.is_member(&bob.id, &plans).await.expect("member"));
    let joined = store.joined_rooms(&bob.id).await.expect("joined");
    assert_eq!(joined[0].read, Seq(1), "joined read up to the newest");

    let renewed = store.renew_invite(&plans).await.expect("renew");
    assert_eq!(renewed, Some(invite_version + 1));
    assert!(
        !store
            .join_by_invite(&eve, &plans, invite_version)
            .await
            .expect("join"),
        "the old link stops working"
    );
    assert_eq!(
        store.renew_invite(&room("lobby")).await.expect("renew"),
        None
    );

    store.leave_room(&bob.id, &plans).await.expect("leave");
    assert!(!store.is_member(&bob.id, &plans).await.expect("member"));
    let Privacy::Private {
        access_version: after_leaving,
        ..
    } = store.privacy(&plans).await.expect("privacy")
    else {
        panic!("private");
    };
    assert!(
        after_leaving > access_version,
        "a removal moves the access version"
    );
    assert_eq!(
        store
            .append(message("plans", &bob, "still here?", None))
            .await
            .expect("append"),
        Err(Refusal::Private)
    );
}

on_both!(
    read_marks_never_move_back_and_joined_rooms_list_them,
    members_are_known_by_the_name_the_room_knows_them_by,
    private_rooms_let_in_their_members_only,
);
