//! Accounts and sessions: the first account is the administrator, names are taken once, an
//! account keeps its user id; sessions are listed newest first and end for good.

use super::{on_both, person, Backend};
use chat::domain::{AccountName, Role, UserId};
use chat::server::store::{AccountRefusal, NewAccount, StoredSession};

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

on_both!(
    the_first_account_administers_and_names_are_taken_once,
    sessions_are_listed_newest_first_and_end_for_good,
);
