//! The one place where member names are masked for a `viewer` (docs/RULES.md §10): every wire
//! type that carries a person's name implements [`Masked`], and the server applies it to
//! whatever it sends to a caller whose role masks names — pages, API and SSE alike.
//!
//! Organisation names are not personal data and stay as they are; member ids stay too (they
//! are opaque codes, and the wall's links need them).

use crate::access::mask_name;
use crate::wire::{LeaderRow, MemberProfile, MemberRow, RankingRow, Rankings, WallSnapshot, WarningPage, WarningView};

/// A value that can be sent to a caller who may not read member names.
pub trait Masked {
    /// Replaces every member name in `self` by its masked form ([`mask_name`]).
    fn mask_names(&mut self);

    /// `self` as a `viewer` may read it.
    fn masked(mut self) -> Self
    where
        Self: Sized,
    {
        self.mask_names();
        self
    }
}

fn mask(name: &mut String) {
    *name = mask_name(name);
}

impl Masked for LeaderRow {
    fn mask_names(&mut self) {
        mask(&mut self.name);
    }
}

impl Masked for MemberRow {
    fn mask_names(&mut self) {
        mask(&mut self.name);
    }
}

impl Masked for WarningView {
    /// A member's warning names the member; a branch's names an organisation.
    fn mask_names(&mut self) {
        if self.subject_kind == "member" {
            mask(&mut self.subject_name);
        }
    }
}

impl Masked for WarningPage {
    fn mask_names(&mut self) {
        self.rows.iter_mut().for_each(Masked::mask_names);
    }
}

impl Masked for RankingRow {
    fn mask_names(&mut self) {
        mask(&mut self.name);
    }
}

impl Masked for Rankings {
    fn mask_names(&mut self) {
        self.rows.iter_mut().for_each(Masked::mask_names);
    }
}

impl Masked for WallSnapshot {
    fn mask_names(&mut self) {
        self.leaderboard.iter_mut().for_each(Masked::mask_names);
        self.members.iter_mut().for_each(Masked::mask_names);
    }
}

impl Masked for MemberProfile {
    fn mask_names(&mut self) {
        mask(&mut self.name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warning(kind: &str, name: &str) -> WarningView {
        WarningView {
            warning_id: 1,
            month: "2024-01".into(),
            subject_kind: kind.into(),
            subject_id: "X".into(),
            subject_name: name.into(),
            org_id: "B".into(),
            org_name: "第一支部".into(),
            reason: "dues".into(),
            reason_zh: String::new(),
            advice: String::new(),
            light: crate::Light::Red,
            state: "open".into(),
            state_zh: "待处理".into(),
            raised_at: "2024-02-01T00:00:00".into(),
            escalated_at: None,
            acked_by: None,
            acked_at: None,
            resolved_by: None,
            resolved_at: None,
            note: None,
            cleared_at: None,
            age_days: 0,
            overdue: false,
        }
    }

    #[test]
    fn member_names_are_masked_and_organisation_names_kept() {
        assert_eq!(warning("member", "欧阳娜娜").masked().subject_name, "欧***");
        assert_eq!(warning("org", "第一支部").masked().subject_name, "第一支部");
        let row = RankingRow {
            district_rank: 1,
            org_rank: 1,
            member_id: "M1".into(),
            name: "张三".into(),
            org_id: "B".into(),
            index: "4".into(),
            party_life: "4".into(),
            duty: "0".into(),
            contribution: "0".into(),
            morality: "0".into(),
        };
        let r = Rankings { month: "2024-03".into(), org_id: "B".into(), total: 1, rows: vec![row] }.masked();
        assert_eq!((r.rows[0].name.as_str(), r.rows[0].member_id.as_str()), ("张*", "M1"));
    }
}
