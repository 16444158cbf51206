//! Accounts and sessions: the first account is the administrator, names are taken once, an
//! account keeps its user id; sessions are listed newest first and end for good; accounts
//! list oldest first; the networks a person acted from keep the newest ten, and their
//! bans lift with their person's.

use super::{on_both, person, Backend};
use chat::domain::{AccountName, Role, UserId};
use chat::server::store::{AccountRefusal, AddressNote, NewAccount, StoredSession};

fn new_account(n: u128, name: &str) -> NewAccount {
    NewAccount {
        user_id: person(n, name).id,
        name: AccountName::parse(name).expect("name"),
        name_key: name.to_lowercase(),
        password_hash: format!("hash of {name}"),
        at: 1_000,
    }
}

fn device(id: &str, user: &UserId, at: i64) -> StoredSession {
    StoredSession {
        id: id.to_owned(),
        user_id: user.clone(),
        created_at: at,
        last_seen: at,
        user_agent: format!("browser {id}"),
    }
}

async fn the_first_account_administers_and_names_are_taken_once(b: &Backend) {
    let store = b.store.as_ref();
    let first = store
        .create_account(new_account(1, "Ann"))
        .await
        .expect("create");
    assert_eq!(first, Ok(Role::Admin));
    let second = store
        .create_account(new_account(2, "Bob"))
        .await
        .expect("create");
    assert_eq!(second, Ok(Role::Member));
    assert_eq!(
        store
            .create_account(new_account(3, "ANN"))
            .await
            .expect("create"),
        Err(AccountRefusal::NameTaken)
    );
    assert_eq!(
        store
            .create_account(new_account(2, "Robert"))
            .await
            .expect("create"),
        Err(AccountRefusal::AlreadyAnAccount)
    );
    let ann = store
        .account_by_name("ann")
        .await
        .expect("read")
        .expect("found");
    assert_eq!(
        (ann.user_id.clone(), ann.name.as_str(), ann.role),
        (person(1, "x").id, "Ann", Role::Admin)
    );
    assert_eq!(ann.password_hash, "hash of Ann");
    assert_eq!(
        store
            .account(&person(2, "x").id)
            .await
            .expect("read")
            .map(|a| a.name),
        Some("Bob".into())
    );
    assert_eq!(store.account(&person(3, "x").id).await.expect("read"), None);
    assert_eq!(store.account_by_name("carol").await.expect("read"), None);

    let robert = AccountName::parse("Robert").expect("name");
    let taken = AccountName::parse("Ann").expect("name");
    assert!(!store
        .rename_account(&person(2, "x").id, &taken, "ann")
        .await
        .expect("rename"));
    assert!(store
        .rename_account(&person(2, "x").id, &robert, "robert")
        .await
        .expect("rename"));
    assert_eq!(
        store.account_by_name("bob").await.expect("read"),
        None,
        "the old name is free"
    );
    assert!(store
        .create_account(new_account(4, "Bob"))
        .await
        .expect("create")
        .is_ok());
    assert_eq!(
        store
            .account_by_name("robert")
            .await
            .expect("read")
            .map(|a| a.user_id),
        Some(person(2, "x").id)
    );
    assert!(
        !store
            .rename_account(&person(9, "x").id, &robert, "robert9")
            .await
            .expect("rename"),
        "no such account"
    );
}

async fn sessions_are_listed_newest_first_and_end_for_good(b: &Backend) {
    let store = b.store.as_ref();
    let (ann, eve) = (person(1, "ann").id, person(2, "eve").id);
    store
        .create_account(new_account(1, "ann"))
        .await
        .expect("create")
        .expect("created");
    store
        .create_account(new_account(2, "eve"))
        .await
        .expect("create")
        .expect("created");
    for (id, at) in [("laptop", 10), ("phone", 20)] {
        store
            .create_session(&device(id, &ann, at))
            .await
            .expect("session");
    }
    store
        .create_session(&device("eves", &eve, 30))
        .await
        .expect("session");
    let listed: Vec<String> = store
        .sessions_of(&ann)
        .await
        .expect("list")
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(listed, ["phone", "laptop"]);
    store.touch_session("laptop", 50).await.expect("touch");
    store.touch_session("laptop", 40).await.expect("touch");
    let laptop = store.session("laptop").await.expect("read").expect("found");
    assert_eq!(
        (laptop.last_seen, laptop.created_at),
        (50, 10),
        "last seen only moves on"
    );
    assert_eq!(laptop.user_agent, "browser laptop");

    assert!(
        !store.end_session(&eve, "laptop").await.expect("end"),
        "not hers to end"
    );
    assert!(store.session("laptop").await.expect("read").is_some());
    assert!(store.end_session(&ann, "laptop").await.expect("end"));
    assert!(
        !store.end_session(&ann, "laptop").await.expect("end"),
        "once"
    );
    assert_eq!(store.session("laptop").await.expect("read"), None);
    store.touch_session("laptop", 60).await.expect("touch");
    assert_eq!(
        store.session("laptop").await.expect("read"),
        None,
        "touching never brings it back"
    );
    let listed: Vec<String> = store
        .sessions_of(&ann)
        .await
        .expect("list")
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(listed, ["phone"]);
}

async fn accounts_are_listed_oldest_first(b: &Backend) {
    let store = b.store.as_ref();
    for (n, name, at) in [(1, "Cy", 3_000), (2, "Ann", 1_000), (3, "Bo", 2_000)] {
        let mut account = new_account(n, name);
        account.at = at;
        store
            .create_account(account)
            .await
            .expect("store")
            .expect("created");
    }
    let listed: Vec<String> = store
        .accounts(10)
        .await
        .expect("list")
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(listed, ["Ann", "Bo", "Cy"]);
    assert_eq!(store.accounts(2).await.expect("list").len(), 2);
}

async fn addresses_keep_the_newest_ten_and_bans_lift_with_their_person(b: &Backend) {
    let store = b.store.as_ref();
    let (ann, bob) = (person(1, "ann").id, person(2, "bob").id);
    let note = |user: &UserId, net: &str, at: i64| AddressNote {
        user_id: user.clone(),
        net: net.to_owned(),
        at,
    };
    // Twelve networks, in two batches (one of them with someone else's among them).
    let first: Vec<AddressNote> = (0..6)
        .map(|n| note(&ann, &format!("192.0.2.{n}"), 1_000 + n))
        .chain([note(&bob, "198.51.100.1", 1_000)])
        .collect();
    store.note_addresses(&first).await.expect("noted");
    let second: Vec<AddressNote> = (6..12)
        .map(|n| note(&ann, &format!("192.0.2.{n}"), 1_000 + n))
        .collect();
    store.note_addresses(&second).await.expect("noted");
    // Seen again later: it moves to the front, not in twice.
    store
        .note_addresses(&[note(&ann, "192.0.2.5", 5_000)])
        .await
        .expect("noted");
    let nets = store.addresses_of(&ann).await.expect("read");
    assert_eq!(nets.len(), 10, "{nets:?}");
    assert_eq!(nets[0], "192.0.2.5");
    assert_eq!(nets[1], "192.0.2.11");
    assert!(!nets.contains(&"192.0.2.0".to_owned()), "the oldest went");
    assert_eq!(
        store.addresses_of(&bob).await.expect("read"),
        ["198.51.100.1"]
    );

    store
        .ban_addresses(&ann, &nets[..2], 7_000)
        .await
        .expect("banned");
    store
        .ban_addresses(&bob, &["2001:db8::/64".to_owned()], 8_000)
        .await
        .expect("banned");
    let banned: Vec<(String, UserId)> = store
        .banned_addresses()
        .await
        .expect("read")
        .into_iter()
        .map(|ban| (ban.net, ban.user_id))
        .collect();
    assert_eq!(banned.len(), 3);
    assert_eq!(
        banned[0],
        ("2001:db8::/64".to_owned(), bob.clone()),
        "newest first"
    );
    // Bob's ban covers one of Ann's networks too: lifting Ann's leaves it banned.
    store
        .ban_addresses(&bob, &nets[..1], 9_000)
        .await
        .expect("banned");
    assert_eq!(store.unban_addresses_of(&ann).await.expect("lifted"), 2);
    assert_eq!(store.unban_addresses_of(&ann).await.expect("lifted"), 0);
    let mut left: Vec<(String, UserId)> = store
        .banned_addresses()
        .await
        .expect("read")
        .into_iter()
        .map(|ban| (ban.net, ban.user_id))
        .collect();
    left.sort();
    assert_eq!(
        left,
        [
            ("192.0.2.5".to_owned(), bob.clone()),
            ("2001:db8::/64".to_owned(), bob.clone())
        ]
    );
}

async fn passkeys_are_kept_once_per_credential_and_removed_by_their_owner(b: &Backend) {
    use chat::server::store::StoredPasskey;
    let store = b.store.as_ref();
    let (ann, bob) = (person(1, "ann").id, person(2, "bob").id);
    let key = |id: &str, user: &UserId, at: i64| StoredPasskey {
        id: id.to_owned(),
        user_id: user.clone(),
        name: format!("key {id}"),
        passkey: format!("{{\"cred\":\"{id}\"}}"),
        created_at: at,
        last_used: None,
    };
    assert!(store
        .add_passkey(&key("k2", &ann, 2_000))
        .await
        .expect("added"));
    assert!(store
        .add_passkey(&key("k1", &ann, 1_000))
        .await
        .expect("added"));
    assert!(
        !store
            .add_passkey(&key("k1", &bob, 3_000))
            .await
            .expect("read"),
        "a credential is one account's"
    );
    let ids = |keys: Vec<StoredPasskey>| keys.into_iter().map(|k| k.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store.passkeys_of(&ann).await.expect("read")),
        ["k1", "k2"]
    );
    assert!(store.passkeys_of(&bob).await.expect("read").is_empty());

    store
        .passkey_used("k1", "{\"cred\":\"k1\",\"counter\":2}", 5_000)
        .await
        .expect("used");
    let k1 = store.passkeys_of(&ann).await.expect("read").remove(0);
    assert_eq!(k1.last_used, Some(5_000));
    assert!(k1.passkey.contains("counter"));

    assert!(
        !store.remove_passkey(&bob, "k1").await.expect("read"),
        "not bob's"
    );
    assert!(store.remove_passkey(&ann, "k1").await.expect("removed"));
    assert!(!store.remove_passkey(&ann, "k1").await.expect("read"));
    assert_eq!(ids(store.passkeys_of(&ann).await.expect("read")), ["k2"]);
}

on_both!(
    passkeys_are_kept_once_per_credential_and_removed_by_their_owner,
    the_first_account_administers_and_names_are_taken_once,
    sessions_are_listed_newest_first_and_end_for_good,
    accounts_are_listed_oldest_first,
    addresses_keep_the_newest_ten_and_bans_lift_with_their_person,
);
