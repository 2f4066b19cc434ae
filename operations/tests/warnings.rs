//! Warnings as stored facts (docs/RULES.md §11), on SQLite and PostgreSQL: a key raised once
//! ever, escalation, clearing and reopening, the outbox rows of each message by recipient,
//! and the states people move them through, each with its audit row.

mod common;

use access::{Action, Actor, AuditEntry, Outcome};
use common::{backends, district, lights, lit, scalar};
use domain::Light;
use operations::warnings::{acknowledge, export, raise, resolve};
use operations::{OpsError, Reason, SubjectKind};

fn by(login: &str, action: Action, id: i64) -> AuditEntry {
    AuditEntry::new(Actor { name: login.into(), role: Some(domain::Role::Secretary), ip: None }, action, format!("warning:{id}"), Outcome::Ok)
}

#[tokio::test]
async fn raised_once_escalated_cleared_and_reopened() {
    for db in backends().await {
        let (s, label) = (&db.store, db.label);
        district(s).await;
        let hook = operations::webhooks::add(
            s,
            &domain::wire::NewWebhook { org_id: "S".into(), kind: "generic".into(), url: "http://127.0.0.1:9/hook".into(), secret: None },
            |id| AuditEntry::new(Actor::cli(), Action::WebhookChange, format!("webhook:{id} add"), Outcome::Ok),
        )
        .await
        .unwrap();

        let dues = lit(SubjectKind::Member, "M1", "B1", Reason::Dues, Light::Yellow, "1");
        let gap = lit(SubjectKind::Org, "B1", "B1", Reason::Gap, Light::Yellow, "1");
        let m3 = lit(SubjectKind::Member, "M3", "B2", Reason::Absence, Light::Red, "3");
        let r = raise(s, &lights(vec![dues.clone(), gap.clone(), m3.clone()])).await.unwrap();
        assert_eq!((r.raised, r.escalated, r.cleared), (3, 0, 0), "[{label}]");
        // M1's dues: sec1 and m1 (inboxes) + the webhook of S; B1's gap: sec1, off1 (above B1)
        // + the webhook; M3 in B2 (not under S): nobody with an account, no webhook.
        assert_eq!(r.messages, 6, "[{label}] {r:?}");
        assert_eq!(scalar(s, "SELECT COUNT(*) FROM outbox WHERE webhook_id IS NOT NULL AND state = 'pending'").await, 2, "[{label}]");
        assert_eq!(scalar(s, &format!("SELECT COUNT(*) FROM outbox WHERE webhook_id = {hook}")).await, 2, "[{label}]");
        assert_eq!(
            scalar(s, "SELECT COUNT(*) FROM outbox o JOIN accounts a ON a.id = o.account_id WHERE a.login = 'off1'").await,
            1,
            "[{label}] the officer above the branch gets the branch's warning only"
        );

        // The same lights again, and again: nothing new (a key is raised once, ever).
        for _ in 0..2 {
            let r = raise(s, &lights(vec![dues.clone(), gap.clone(), m3.clone()])).await.unwrap();
            assert!(r.is_empty() && r.messages == 0, "[{label}] {r:?}");
        }
        assert_eq!(scalar(s, "SELECT COUNT(*) FROM warnings").await, 3, "[{label}]");

        // Yellow → red: the same warning, escalated and sent again; red never goes back down.
        let mut red = dues.clone();
        red.light = Light::Red;
        red.measure = "3".into();
        let r = raise(s, &lights(vec![red.clone(), gap.clone(), m3.clone()])).await.unwrap();
        assert_eq!((r.raised, r.escalated, r.messages), (0, 1, 3), "[{label}] {r:?}");
        let r = raise(s, &lights(vec![dues.clone(), gap.clone(), m3.clone()])).await.unwrap();
        assert_eq!((r.raised, r.escalated, r.messages), (0, 0, 0), "[{label}] {r:?}");
        assert_eq!(scalar(s, "SELECT COUNT(*) FROM warnings WHERE subject_id = 'M1' AND light = 'red'").await, 1, "[{label}]");

        // Handled by a person: acknowledge, then resolve with a note; each audited.
        let id = scalar(s, "SELECT id FROM warnings WHERE subject_id = 'B1'").await;
        let row = acknowledge(s, id, &by("sec1", Action::WarningAck, id)).await.unwrap();
        assert_eq!((row.state.as_str(), row.acked_by.as_deref()), ("acknowledged", Some("sec1")), "[{label}]");
        assert!(matches!(resolve(s, id, "  ", &by("sec1", Action::WarningResolve, id)).await, Err(OpsError::Invalid(_))), "[{label}] empty note");
        let row = resolve(s, id, "已召开支部党员大会", &by("sec1", Action::WarningResolve, id)).await.unwrap();
        assert_eq!((row.state.as_str(), row.note.as_deref()), ("resolved", Some("已召开支部党员大会")), "[{label}]");
        assert!(matches!(acknowledge(s, id, &by("sec1", Action::WarningAck, id)).await, Err(OpsError::WrongState { .. })), "[{label}]");
        assert!(matches!(resolve(s, 999_999, "x", &by("sec1", Action::WarningResolve, 1)).await, Err(OpsError::UnknownWarning(_))), "[{label}]");
        assert_eq!(scalar(s, "SELECT COUNT(*) FROM audit WHERE action IN ('warning_ack', 'warning_resolve') AND actor = 'sec1'").await, 2, "[{label}]");

        // M3's light turns green: cleared. B1's gap is resolved and stays so when it clears.
        let r = raise(s, &lights(vec![red.clone()])).await.unwrap();
        assert_eq!(r.cleared, 1, "[{label}] {r:?}");
        assert_eq!(scalar(s, "SELECT COUNT(*) FROM warnings WHERE subject_id = 'M3' AND state = 'cleared'").await, 1, "[{label}]");
        assert_eq!(scalar(s, "SELECT COUNT(*) FROM warnings WHERE subject_id = 'B1' AND state = 'resolved'").await, 1, "[{label}]");
        // … and comes back on in the same month (late data): the same warning, open again.
        let r = raise(s, &lights(vec![red.clone(), m3.clone()])).await.unwrap();
        assert_eq!((r.raised, r.reopened), (0, 1), "[{label}] {r:?}");
        assert_eq!(scalar(s, "SELECT COUNT(*) FROM warnings").await, 3, "[{label}]");

        // The export of §11: sorted by subject_kind, subject_id, reason (bytes).
        let mut out = Vec::new();
        assert_eq!(export(s, domain::Period::parse(common::MONTH).unwrap(), &mut out).await.unwrap(), 3, "[{label}]");
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
        assert_eq!(lines[0].join(","), "warning_id,month,subject_kind,subject_id,org_id,reason,light,state,raised_at", "[{label}]");
        let keys: Vec<String> = lines[1..].iter().map(|l| format!("{} {} {} {} {} {}", l[2], l[3], l[4], l[5], l[6], l[7])).collect();
        assert_eq!(keys, ["member M1 B1 dues red open", "member M3 B2 absence red open", "org B1 B1 gap yellow resolved"], "[{label}]");
    }
}

#[tokio::test]
async fn two_servers_raising_at_once_write_each_key_once() {
    for db in backends().await {
        let (s, label) = (&db.store, db.label);
        district(s).await;
        let other = db.reconnect().await;
        let set = lights(vec![
            lit(SubjectKind::Member, "M1", "B1", Reason::Dues, Light::Yellow, "1"),
            lit(SubjectKind::Member, "M2", "B1", Reason::Absence, Light::Red, "4"),
            lit(SubjectKind::Org, "B1", "B1", Reason::Share, Light::Red, "1/2"),
        ]);
        let (a, b) = tokio::join!(raise(s, &set), raise(&other, &set));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.raised + b.raised, 3, "[{label}] {a:?} {b:?}");
        assert_eq!(scalar(s, "SELECT COUNT(*) FROM warnings").await, 3, "[{label}]");
        // sec1 gets each of the three once; m1 its own; off1 the branch's.
        assert_eq!(scalar(s, "SELECT COUNT(*) FROM outbox").await, 5, "[{label}]");
    }
}
