//! The monthly reports of docs/RULES.md §6/§11 as stored and served: frozen when generated
//! (a report's body is this JSON, written once), so later data never changes one.
//!
//! - [`MemberReport`]: 锋领指数报告 — the index so far this year by dimension, the month's
//!   points and the items behind them, ranks in branch and district, the change from last
//!   month, the open lights and what would clear them;
//! - [`BranchReport`]: 支部党建诊疗报告 — the 体检表 (every branch indicator against the
//!   district average and its own 12-month trend), the findings with their evidence,
//!   prescriptions and resources, the month's warnings and their state, and where the
//!   branch stands among all branches.

use serde::{Deserialize, Serialize};

use crate::Light;
use crate::wire::{BranchLight, Crumb, Finding, OrgIndicator, TraceItem};

/// A light of §5 that is on for a member at the month, with what would clear it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenLight {
    /// `dues` or `absence`.
    pub reason: String,
    pub light: Light,
    /// The run behind it, in months.
    pub months: i64,
    /// In words (`连续3个月未缴纳党费`).
    pub words: String,
    /// What clears it (`补缴拖欠的3个月党费即可消除`).
    pub advice: String,
}

/// 锋领指数报告 of one member for one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberReport {
    /// `YYYY-MM`.
    pub month: String,
    pub member_id: String,
    pub name: String,
    pub org: Crumb,
    pub category: String,
    /// The index so far this year (January to the month) and its dimensions, exact decimals.
    pub index: String,
    pub party_life: String,
    pub duty: String,
    pub contribution: String,
    pub morality: String,
    /// The month's own points, in total and by dimension.
    pub month_points: String,
    pub month_party_life: String,
    pub month_duty: String,
    pub month_contribution: String,
    pub month_morality: String,
    /// The index so far at the end of the month before, and the change; `None` in January
    /// (the index starts again each year, so there is no earlier figure of the same year).
    pub previous_index: Option<String>,
    pub change: Option<String>,
    pub district_rank: i64,
    pub district_population: i64,
    pub org_rank: i64,
    pub org_population: i64,
    /// Ranks at the end of the month before (same year), `None` in January.
    pub previous_district_rank: Option<i64>,
    pub previous_org_rank: Option<i64>,
    /// The member's light (§5) and the ones that are on.
    pub light: Light,
    pub open_lights: Vec<OpenLight>,
    /// The items that gave the month's points.
    pub trace: Vec<TraceItem>,
}

/// A warning of the branch (or of one of its members) raised for the month, as it stood when
/// the report was generated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportWarning {
    pub warning_id: i64,
    pub subject_kind: String,
    pub subject_id: String,
    pub subject_name: String,
    pub reason_zh: String,
    pub light: Light,
    pub state: String,
    pub state_zh: String,
    pub raised_at: String,
}

/// Where a branch stands among all of the district's branches at the month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Standing {
    /// The branch's mean Vanguard Index so far this year, and its rank among the branches
    /// (1 = highest; ties share the best rank), out of `branches`.
    pub mean_index: Option<String>,
    pub index_rank: Option<i64>,
    pub branches: i64,
    /// Branches of the district by light: red, yellow, green.
    pub red_branches: i64,
    pub yellow_branches: i64,
    pub green_branches: i64,
    /// The branch's findings, and the district's mean number of findings per branch.
    pub findings: i64,
    pub district_mean_findings: f64,
}

/// 支部党建诊疗报告 of one grassroots organisation for one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BranchReport {
    pub month: String,
    pub org: Crumb,
    /// From the root down to the branch.
    pub path: Vec<Crumb>,
    /// The branch's lights of §5 and its members by light.
    pub lights: BranchLight,
    pub standing: Standing,
    /// The 体检表.
    pub indicators: Vec<OrgIndicator>,
    /// The findings of the diagnosis, worst first.
    pub findings: Vec<Finding>,
    /// The month's warnings of the branch and its members.
    pub warnings: Vec<ReportWarning>,
}

/// What the figures were computed with: stored with every generated month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportRun {
    pub month: String,
    pub generated_at: String,
    pub rules_version: u32,
    pub catalogue_version: u32,
    /// The data version (the store's newest event sequence number) the figures were read at.
    pub data_seq: i64,
    pub member_reports: i64,
    pub branch_reports: i64,
}

/// One report in a list (`GET /api/v1/reports`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportEntry {
    pub id: i64,
    pub month: String,
    /// `member` or `branch`.
    pub kind: String,
    pub subject_id: String,
    pub subject_name: String,
    pub org_id: String,
    pub generated_at: String,
    /// The printable page and the PDF.
    pub url: String,
    pub pdf: String,
}

/// A page of reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportList {
    pub total: i64,
    pub rows: Vec<ReportEntry>,
}
