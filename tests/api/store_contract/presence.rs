//! Presence's `People`, one node (SQLite's deploy) and a cluster sharing Redis: a person
//! with an open stream is online in its room, two tabs count once, and they are gone when
//! their last stream ends.

use super::{on_both, person, room, Backend};
use crate::redis_server::keyspace;
use chat::server::delivery::hub::Hub;
use chat::server::presence::{
    ClusterPresence, OneNode, People, PresenceGuard, Presences, RemoteRosters,
};
use chat::server::store::RedisStore;
use std::sync::Arc;
use std::time::Duration;

/// Presence as the node on this backend is built with it.
async fn presences(b: &Backend) -> Presences {
    let hub = Arc::new(Hub::new(16));
    let people: Arc<dyn People> = match &b.redis {
        None => Arc::new(OneNode::default()),
        Some((url, prefix)) => {
            let store = RedisStore::connect(url, &keyspace(prefix), 10_000)
                .await
                .expect("store");
            let rosters = RemoteRosters::new(
                store.connection(),
                &keyspace(prefix),
                Duration::from_secs(30),
            );
            Arc::new(ClusterPresence::new(rosters))
        }
    };
    Presences::new(people, hub)
}

async fn a_person_is_online_while_a_stream_of_theirs_is_open(b: &Backend) {
    let presences = presences(b).await;
    let (lobby, quiet) = (room("lobby"), room("quiet"));
    let (ann, bob) = (person(1, "ann"), person(2, "bob"));
    let here = presences.on_this_node().clone();
    let ann_tab = PresenceGuard::join(here.clone(), lobby.clone(), &ann);
    let ann_other_tab = PresenceGuard::join(here.clone(), lobby.clone(), &ann);
    let bob_tab = PresenceGuard::join(here.clone(), lobby.clone(), &bob);

    let now = presences.snapshot(&lobby).await;
    assert_eq!(now.count, 2, "two tabs count once");
    let names: Vec<&str> = now.online.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["ann", "bob"]);
    assert_eq!(
        presences
            .online_counts(&[lobby.clone(), quiet.clone()])
            .await,
        [2, 0]
    );
    drop(ann_tab);
    assert_eq!(
        presences.snapshot(&lobby).await.count,
        2,
        "ann has a tab still"
    );
    drop(ann_other_tab);
    drop(bob_tab);
    assert_eq!(presences.snapshot(&lobby).await.count, 0);
    assert_eq!(presences.online_counts(&[lobby]).await, [0]);
}

on_both!(a_person_is_online_while_a_stream_of_theirs_is_open);
