//! The SQLite backups of docs/operations.md, done as written while the node is running and taking
//! sends: `chat backup PATH`, `sqlite3 chat.db ".backup …"` and `VACUUM INTO`. Each copy must hold every
//! message acknowledged before it was taken, seqs without gap, and a node started on it
//! must go on from there.

use crate::binary::Binary;
use crate::durability::{assert_all_acked_are_stored, flood_at};
use std::path::Path;

const ROOM: &str = "backups";

fn sqlite3(db: &Path, command: &str) {
    let output = std::process::Command::new("sqlite3")
        .arg(db)
        .arg(command)
        .output()
        .expect("sqlite3 (scripts/setup.sh test installs it)");
    assert!(
        output.status.success(),
        "sqlite3 {command}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `chat backup COPY` against the database `db`, as an operator runs it beside the node.
fn chat_backup(db: &Path, copy: &Path) -> std::process::Output {
    std::process::Command::new(Binary::path())
        .arg("backup")
        .arg(copy)
        .env("DATABASE_URL", format!("sqlite://{}", db.display()))
        .env_remove("REDIS_URL")
        .output()
        .expect("chat backup runs")
}

#[tokio::test]
async fn backups_taken_while_sending_restore_every_message_sent_before_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("chat.db");
    let server = Binary::start(&[("DATABASE_URL", format!("sqlite://{}", db.display()))]).await;
    let mut before = Vec::new();
    for i in 0..20 {
        before.push(server.send(ROOM, &format!("before the backup {i}")).await);
    }

    // Four senders keep going while both copies are taken.
    let flooding = tokio::spawn(flood_at(
        server.client.clone(),
        server.url("/api/send_message"),
        ROOM,
        4,
        100,
        100,
    ));
    let online = dir.path().join("online.db");
    let vacuumed = dir.path().join("vacuumed.db");
    let commanded = dir.path().join("commanded.db");
    let said = chat_backup(&db, &commanded);
    assert!(said.status.success(), "{said:?}");
    let said = String::from_utf8_lossy(&said.stdout);
    assert!(said.contains("To restore"), "{said}");
    sqlite3(&db, &format!(".backup '{}'", online.display()));
    sqlite3(&db, &format!("VACUUM INTO '{}'", vacuumed.display()));
    let during = flooding.await.expect("senders").acked;
    assert!(!during.is_empty(), "the sends did not overlap the backups");
    server.terminate().await;

    // Owner-only, like the database; and a second backup never writes over the first.
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&commanded).expect("copy").permissions(),
    );
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    let length = std::fs::metadata(&commanded).expect("copy").len();
    let again = chat_backup(&db, &commanded);
    assert!(!again.status.success(), "wrote over an existing file");
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists"));
    assert_eq!(std::fs::metadata(&commanded).expect("copy").len(), length);

    for copy in [commanded, online, vacuumed] {
        assert_all_acked_are_stored(&copy, ROOM, &before).await;
        let restored =
            Binary::start(&[("DATABASE_URL", format!("sqlite://{}", copy.display()))]).await;
        let next = restored.send(ROOM, "after the restore").await;
        assert!(
            next.seq.get() > 20,
            "{copy:?}: seq {} after a restore",
            next.seq
        );
        restored.terminate().await;
        // The next seq follows the copy's last without a gap.
        assert_all_acked_are_stored(&copy, ROOM, &[next]).await;
    }
}
