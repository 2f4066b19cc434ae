//! The command line of the operations loop (docs/RULES.md §11): `vanguard webhook
//! add|list|remove` and `vanguard export warnings`. Changes are made by the `operations` crate
//! and audited with actor `cli`; bad input is a clear message and exit 1.

use access::{Action, Actor, AuditEntry, Outcome};
use clap::Subcommand;
use domain::Period;
use domain::wire::NewWebhook;
use std::process::ExitCode;
use store::{DEFAULT_DB_URL, Store};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

#[derive(Subcommand)]
pub enum WebhookCmd {
    /// Push the warnings of an organisation's subtree to a webhook: a 企业微信 (wecom) or 钉钉
    /// (dingtalk) group robot, or a generic HTTP receiver.
    Add {
        #[arg(long, default_value = DEFAULT_DB_URL, env = "VANGUARD_DB")]
        db: String,
        #[arg(long)]
        org: String,
        /// wecom, dingtalk or generic.
        #[arg(long)]
        kind: String,
        #[arg(long)]
        url: String,
        /// Signing secret (DingTalk's `sign`, the generic `X-Vanguard-Signature`).
        #[arg(long)]
        secret: Option<String>,
    },
    /// The webhooks in use with their pending, delivered and failed messages.
    List {
        #[arg(long, default_value = DEFAULT_DB_URL, env = "VANGUARD_DB")]
        db: String,
    },
    /// Stop using a webhook (its waiting messages fail).
    Remove {
        #[arg(long, default_value = DEFAULT_DB_URL, env = "VANGUARD_DB")]
        db: String,
        #[arg(long)]
        id: i64,
    },
}

pub async fn webhook(cmd: WebhookCmd) -> Result<ExitCode> {
    match cmd {
        WebhookCmd::Add { db, org, kind, url, secret } => {
            let store = Store::connect(&db).await?;
            let new = NewWebhook { org_id: org, kind, url, secret };
            let id =
                operations::webhooks::add(&store, &new, |id| AuditEntry::new(Actor::cli(), Action::WebhookChange, format!("webhook:{id} add"), Outcome::Ok))
                    .await?;
            store.close().await;
            println!("webhook {id} added: {} {} for {}", new.kind, new.url, new.org_id);
            Ok(ExitCode::SUCCESS)
        }
        WebhookCmd::List { db } => {
            let store = Store::connect(&db).await?;
            for w in operations::webhooks::list(&store).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\tpending {} delivered {} failed {}{}",
                    w.id,
                    w.org_id,
                    w.kind,
                    w.url,
                    if w.signed { "signed" } else { "unsigned" },
                    w.pending,
                    w.delivered,
                    w.failed,
                    w.last_error.map(|e| format!("\tlast error: {e}")).unwrap_or_default()
                );
            }
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        WebhookCmd::Remove { db, id } => {
            let store = Store::connect(&db).await?;
            operations::webhooks::remove(&store, id, &AuditEntry::new(Actor::cli(), Action::WebhookChange, format!("webhook:{id} remove"), Outcome::Ok))
                .await?;
            store.close().await;
            println!("webhook {id} removed");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `vanguard export warnings`: first brings the warnings up to date with the data (as `serve`
/// does after every change, so the export is right whether or not a server ran since the last
/// import), then writes the month's warnings.
#[derive(clap::Args, Clone)]
pub struct WarningsArgs {
    /// Month, YYYY-MM.
    #[arg(long)]
    month: Period,
    #[command(flatten)]
    common: crate::ExportArgs,
}

pub async fn export_warnings(args: WarningsArgs) -> Result<ExitCode> {
    let crate::ExportArgs { db, out, columnar, rules } = args.common;
    let rules = crate::load_rules(rules.as_deref())?;
    let store = Store::connect(&db).await?;
    let copy = engine::columnar::ColumnarCopy::open(columnar.unwrap_or_else(|| engine::columnar::default_dir(&db)))?;
    let raised = operations::sync(&store, &copy, &rules).await?;
    if !raised.is_empty() {
        eprintln!(
            "warnings brought up to date: {} raised, {} escalated, {} reopened, {} cleared, {} messages queued",
            raised.raised, raised.escalated, raised.reopened, raised.cleared, raised.messages
        );
    }
    let mut buf = Vec::new();
    let rows = operations::warnings::export(&store, args.month, &mut buf).await?;
    store.close().await;
    crate::write_atomically(&out, |w| w.write_all(&buf).map_err(engine::EngineError::Io))?;
    eprintln!("wrote {rows} warnings of {} to {}", args.month, out.display());
    Ok(ExitCode::SUCCESS)
}
