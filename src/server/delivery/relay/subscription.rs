//! The relay's one subscribing connection, to one Redis or to a cluster. On one Redis a
//! pub/sub connection subscribes to every channel. In a cluster the rooms' channels are
//! sharded (`SSUBSCRIBE`: each lives on its room's shard, and `SPUBLISH` reaches only that
//! shard), the global channels (read marks, ended sessions) plain, and what arrives comes
//! as RESP3 pushes. Either way the relay hears [`Heard`] items, and treats a lost node or a
//! room's subscription dropped by Redis (its slot moved to another shard) as a lost
//! connection: every stream ends and resumes from its `Last-Event-ID`.

use crate::server::store::redis_client::RedisClient;
use futures::stream::BoxStream;
use futures::StreamExt;
use redis::aio::PubSubSink;
use redis::cluster_async::ClusterConnection;
use redis::{Msg, PushInfo, PushKind, RedisResult};

/// Where the relay's subscriptions are made.
pub(super) enum Subscriber {
    Single(PubSubSink),
    Cluster(ClusterConnection),
}

/// What arrives on the subscribing connection.
pub(super) enum Heard {
    /// A message on a channel followed.
    Message(Msg),
    /// A cluster node's connection closed (its subscriptions with it).
    Lost,
    /// Redis ended the sharded subscription to this channel: asked for by a sweep, or not
    /// (the channel's slot moved).
    Unsubscribed(String),
}

/// The announcements of a node's subscriptions, until the connection is lost.
pub(super) type Hearing = BoxStream<'static, Heard>;

impl Subscriber {
    /// Connects and subscribes to the global `channels`.
    pub(super) async fn connect(
        client: &RedisClient,
        channels: &[String],
    ) -> RedisResult<(Self, Hearing)> {
        match client {
            RedisClient::Single(client) => {
                let (mut sink, messages) = client.get_async_pubsub().await?.split();
                for channel in channels {
                    sink.subscribe(channel).await?;
                }
                Ok((Self::Single(sink), messages.map(Heard::Message).boxed()))
            }
            RedisClient::Cluster(seeds) => {
                let (pushes, mut heard) = tokio::sync::mpsc::unbounded_channel();
                let mut conn = seeds
                    .client(Some(pushes))
                    .map_err(|e| {
                        redis::RedisError::from((
                            redis::ErrorKind::Io,
                            "cluster client",
                            e.to_string(),
                        ))
                    })?
                    .get_async_connection()
                    .await?;
                for channel in channels {
                    conn.subscribe(channel).await?;
                }
                let hearing = futures::stream::poll_fn(move |cx| heard.poll_recv(cx))
                    .filter_map(|push| std::future::ready(heard_of(push)))
                    .boxed();
                Ok((Self::Cluster(conn), hearing))
            }
        }
    }

    /// Subscribes to a room's channel; returns once Redis confirmed.
    pub(super) async fn follow(&mut self, channel: String) -> RedisResult<()> {
        match self {
            Self::Single(sink) => sink.subscribe(channel).await,
            Self::Cluster(conn) => conn.ssubscribe(channel).await,
        }
    }

    /// Unsubscribes from rooms' channels (in a cluster one at a time: each is its room's
    /// shard's).
    pub(super) async fn unfollow(&mut self, channels: Vec<String>) -> RedisResult<()> {
        match self {
            Self::Single(sink) => sink.unsubscribe(channels).await,
            Self::Cluster(conn) => {
                for channel in channels {
                    conn.sunsubscribe(channel).await?;
                }
                Ok(())
            }
        }
    }
}

/// What a cluster's push means to the relay (nothing, for confirmations of its own
/// subscriptions and anything else).
fn heard_of(push: PushInfo) -> Option<Heard> {
    match push.kind {
        PushKind::Message | PushKind::SMessage => Msg::from_push_info(push).map(Heard::Message),
        PushKind::Disconnection => Some(Heard::Lost),
        PushKind::SUnsubscribe => {
            let channel = push.data.first()?;
            redis::from_redis_value_ref::<String>(channel)
                .ok()
                .map(Heard::Unsubscribed)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use redis::Value;

    fn push(kind: PushKind, data: &[&str]) -> PushInfo {
        PushInfo {
            kind,
            data: data
                .iter()
                .map(|s| Value::BulkString(s.as_bytes().to_vec()))
                .collect(),
        }
    }

    #[test]
    fn sharded_and_plain_messages_are_heard_alike() {
        for kind in [PushKind::SMessage, PushKind::Message] {
            let Some(Heard::Message(msg)) = heard_of(push(kind, &["chat:{lobby}:notify", "hi"]))
            else {
                panic!("a message");
            };
            assert_eq!(msg.get_channel_name(), "chat:{lobby}:notify");
        }
    }

    #[test]
    fn a_closed_node_and_a_dropped_subscription_are_told_confirmations_are_not() {
        assert!(matches!(
            heard_of(push(PushKind::Disconnection, &[])),
            Some(Heard::Lost)
        ));
        assert!(matches!(
            heard_of(push(PushKind::SUnsubscribe, &["chat:{lobby}:notify"])),
            Some(Heard::Unsubscribed(channel)) if channel == "chat:{lobby}:notify"
        ));
        assert!(heard_of(push(PushKind::SSubscribe, &["chat:{lobby}:notify"])).is_none());
        assert!(heard_of(push(PushKind::Subscribe, &["chat:reads"])).is_none());
    }
}
