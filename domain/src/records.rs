//! The interchange files of §3: which files exist, their columns, and one typed row per
//! file with the validation of every field rule. References between files (a member's
//! organisation, an event's activity, cycles in the tree) need the store and are checked
//! by the importer; everything that can be decided from the row alone is decided here.

use crate::ids::check_id;
use crate::time::{Date, Period, Timestamp};
use crate::{ActivityKind, CandidateStep, Category, Dec6, EventKind, FieldError, Gender, MemberStatus, OrgKind, ResourceKind, Source};
use serde::{Deserialize, Serialize};

/// One kind of interchange file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Entity {
    Orgs,
    Resources,
    Members,
    Activities,
    Transfers,
    Ratings,
    Projects,
    Candidates,
    Events,
}

impl Entity {
    /// In the order an import applies them: everything a row may refer to comes first, so
    /// the files of one directory may be given in any order.
    pub const IMPORT_ORDER: [Entity; 9] = [
        Entity::Orgs,
        Entity::Resources,
        Entity::Members,
        Entity::Activities,
        Entity::Transfers,
        Entity::Ratings,
        Entity::Projects,
        Entity::Candidates,
        Entity::Events,
    ];

    /// The file name stem: `events.csv`, `events.parquet`, and parts such as
    /// `events-2024.csv` or `events.part2.parquet` all belong to [`Entity::Events`].
    pub fn stem(self) -> &'static str {
        match self {
            Entity::Orgs => "orgs",
            Entity::Resources => "resources",
            Entity::Members => "members",
            Entity::Activities => "activities",
            Entity::Transfers => "transfers",
            Entity::Ratings => "ratings",
            Entity::Projects => "projects",
            Entity::Candidates => "candidates",
            Entity::Events => "events",
        }
    }

    /// The columns of §3, in contract order.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Entity::Orgs => &["org_id", "parent_id", "name", "kind", "established_on"],
            Entity::Members => &["member_id", "org_id", "name", "gender", "birth_date", "joined_on", "status", "category", "monthly_dues"],
            Entity::Activities => &["activity_id", "org_id", "kind", "held_at", "title"],
            Entity::Events => &["event_id", "member_id", "kind", "occurred_at", "activity_id", "quantity", "period", "source"],
            Entity::Resources => &["resource_id", "kind", "title", "tags"],
            Entity::Transfers => &["transfer_id", "member_id", "from_org_id", "to_org_id", "requested_on", "completed_on"],
            Entity::Ratings => &["org_id", "year", "stars"],
            Entity::Projects => &["project_id", "org_id", "title", "started_on", "due_on", "completed_on", "progress"],
            Entity::Candidates => &["candidate_id", "org_id", "name", "step", "step_on"],
        }
    }

    /// Which entity a file belongs to, from its name: the stem, then the end of the name or
    /// one of `.`, `-`, `_` (so `orgs_extra.csv` is orgs, `orgsx.csv` is nothing).
    pub fn from_file_name(name: &str) -> Option<Entity> {
        let lower = name.to_ascii_lowercase();
        Entity::IMPORT_ORDER
            .into_iter()
            .find(|e| lower.strip_prefix(e.stem()).is_some_and(|rest| rest.starts_with('.') || rest.starts_with('-') || rest.starts_with('_')))
    }
}

/// The fields of one row in [`Entity::columns`] order, as text (empty = missing).
pub type Fields<'a> = [&'a str];

fn structured<'a>(fields: &Fields<'a>, i: usize) -> &'a str {
    fields[i].trim()
}

fn id(fields: &Fields<'_>, i: usize, name: &'static str) -> Result<String, FieldError> {
    let v = structured(fields, i);
    check_id(name, v)?;
    Ok(v.to_owned())
}

fn opt_id(fields: &Fields<'_>, i: usize, name: &'static str) -> Result<Option<String>, FieldError> {
    let v = structured(fields, i);
    if v.is_empty() { Ok(None) } else { id(fields, i, name).map(Some) }
}

fn text(fields: &Fields<'_>, i: usize, name: &'static str, required: bool) -> Result<String, FieldError> {
    let v = fields[i];
    if required && v.trim().is_empty() {
        return Err(FieldError::new(name, "is empty"));
    }
    Ok(v.to_owned())
}

fn parsed<T>(fields: &Fields<'_>, i: usize, name: &'static str, f: impl FnOnce(&str) -> Result<T, String>) -> Result<T, FieldError> {
    let v = structured(fields, i);
    if v.is_empty() {
        return Err(FieldError::new(name, "is empty"));
    }
    f(v).map_err(|e| FieldError::new(name, e))
}

fn opt_parsed<T>(fields: &Fields<'_>, i: usize, name: &'static str, f: impl FnOnce(&str) -> Result<T, String>) -> Result<Option<T>, FieldError> {
    let v = structured(fields, i);
    if v.is_empty() { Ok(None) } else { f(v).map(Some).map_err(|e| FieldError::new(name, e)) }
}

fn integer(s: &str) -> Result<i64, String> {
    Dec6::parse(s)?.as_int().ok_or_else(|| format!("{s:?} is not a whole number"))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgRow {
    pub org_id: String,
    pub parent_id: Option<String>,
    pub name: String,
    pub kind: OrgKind,
    pub established_on: Date,
}

impl OrgRow {
    pub fn parse(f: &Fields<'_>) -> Result<Self, FieldError> {
        let row = OrgRow {
            org_id: id(f, 0, "org_id")?,
            parent_id: opt_id(f, 1, "parent_id")?,
            name: text(f, 2, "name", true)?,
            kind: parsed(f, 3, "kind", OrgKind::parse)?,
            established_on: parsed(f, 4, "established_on", Date::parse)?,
        };
        if row.parent_id.as_deref() == Some(row.org_id.as_str()) {
            return Err(FieldError::new("parent_id", "is the organisation itself (a cycle)"));
        }
        Ok(row)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRow {
    pub member_id: String,
    pub org_id: String,
    pub name: String,
    pub gender: Gender,
    pub birth_date: Date,
    pub joined_on: Date,
    pub status: MemberStatus,
    pub category: Category,
    pub monthly_dues: Dec6,
}

impl MemberRow {
    pub fn parse(f: &Fields<'_>) -> Result<Self, FieldError> {
        let row = MemberRow {
            member_id: id(f, 0, "member_id")?,
            org_id: id(f, 1, "org_id")?,
            name: text(f, 2, "name", true)?,
            gender: parsed(f, 3, "gender", Gender::parse)?,
            birth_date: parsed(f, 4, "birth_date", Date::parse)?,
            joined_on: parsed(f, 5, "joined_on", Date::parse)?,
            status: parsed(f, 6, "status", MemberStatus::parse)?,
            category: parsed(f, 7, "category", Category::parse)?,
            monthly_dues: parsed(f, 8, "monthly_dues", Dec6::parse)?,
        };
        if row.monthly_dues.0 < 0 {
            return Err(FieldError::new("monthly_dues", format!("{} is negative; dues are ≥ 0 yuan", row.monthly_dues)));
        }
        Ok(row)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityRow {
    pub activity_id: String,
    pub org_id: String,
    pub kind: ActivityKind,
    pub held_at: Timestamp,
    pub title: String,
}

impl ActivityRow {
    pub fn parse(f: &Fields<'_>) -> Result<Self, FieldError> {
        Ok(ActivityRow {
            activity_id: id(f, 0, "activity_id")?,
            org_id: id(f, 1, "org_id")?,
            kind: parsed(f, 2, "kind", ActivityKind::parse)?,
            held_at: parsed(f, 3, "held_at", Timestamp::parse)?,
            title: text(f, 4, "title", false)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRow {
    pub event_id: String,
    pub member_id: String,
    pub kind: EventKind,
    pub occurred_at: Timestamp,
    pub activity_id: Option<String>,
    pub quantity: Option<Dec6>,
    pub period: Option<Period>,
    pub source: Source,
}

impl EventRow {
    /// Field rules plus the kind-specific ones of §3: `attend`/`leave` need an activity,
    /// `dues` a positive amount and the period paid for, `volunteer` positive hours,
    /// `evaluation` a grade 1–4 and the period `YYYY-12` of the year evaluated.
    pub fn parse(f: &Fields<'_>) -> Result<Self, FieldError> {
        let row = EventRow {
            event_id: id(f, 0, "event_id")?,
            member_id: id(f, 1, "member_id")?,
            kind: parsed(f, 2, "kind", EventKind::parse)?,
            occurred_at: parsed(f, 3, "occurred_at", Timestamp::parse)?,
            activity_id: opt_id(f, 4, "activity_id")?,
            quantity: opt_parsed(f, 5, "quantity", Dec6::parse)?,
            period: opt_parsed(f, 6, "period", Period::parse)?,
            source: parsed(f, 7, "source", Source::parse)?,
        };
        let need_qty = |what: &str| row.quantity.ok_or_else(|| FieldError::new("quantity", format!("is empty; a {} event needs {what}", row.kind)));
        match row.kind {
            EventKind::Attend | EventKind::Leave => {
                if row.activity_id.is_none() {
                    return Err(FieldError::new("activity_id", format!("is empty; a {} event needs the activity", row.kind)));
                }
            }
            EventKind::Dues => {
                let q = need_qty("the yuan paid")?;
                if !q.is_positive() {
                    return Err(FieldError::new("quantity", format!("{q} is not positive; dues paid must be > 0")));
                }
                if row.period.is_none() {
                    return Err(FieldError::new("period", "is empty; a dues event needs the month YYYY-MM the dues are for"));
                }
            }
            EventKind::Volunteer => {
                let q = need_qty("the hours served")?;
                if !q.is_positive() {
                    return Err(FieldError::new("quantity", format!("{q} is not positive; volunteer hours must be > 0")));
                }
            }
            EventKind::Evaluation => {
                let q = need_qty("the grade 1–4")?;
                if !matches!(q.as_int(), Some(1..=4)) {
                    return Err(FieldError::new("quantity", format!("{q} is not a grade 1–4")));
                }
                match row.period {
                    None => return Err(FieldError::new("period", "is empty; an evaluation needs YYYY-12 of the year evaluated")),
                    Some(p) if p.month() != 12 => {
                        return Err(FieldError::new("period", format!("{p} is not YYYY-12; an evaluation's period is December of the year evaluated")));
                    }
                    Some(_) => {}
                }
            }
            EventKind::ModelPost | EventKind::Study => {}
        }
        Ok(row)
    }

    /// The evaluation grade (1–4) of an `evaluation` event.
    pub fn grade(&self) -> Option<i64> {
        (self.kind == EventKind::Evaluation).then(|| self.quantity.and_then(Dec6::as_int)).flatten()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceRow {
    pub resource_id: String,
    pub kind: ResourceKind,
    pub title: String,
    /// As given: `;`-separated topic tags.
    pub tags: String,
}

impl ResourceRow {
    pub fn parse(f: &Fields<'_>) -> Result<Self, FieldError> {
        Ok(ResourceRow {
            resource_id: id(f, 0, "resource_id")?,
            kind: parsed(f, 1, "kind", ResourceKind::parse)?,
            title: text(f, 2, "title", true)?,
            tags: text(f, 3, "tags", false)?,
        })
    }

    pub fn tag_list(&self) -> impl Iterator<Item = &str> {
        self.tags.split(';').map(str::trim).filter(|t| !t.is_empty())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferRow {
    pub transfer_id: String,
    pub member_id: String,
    pub from_org_id: String,
    pub to_org_id: String,
    pub requested_on: Date,
    pub completed_on: Option<Date>,
}

impl TransferRow {
    pub fn parse(f: &Fields<'_>) -> Result<Self, FieldError> {
        Ok(TransferRow {
            transfer_id: id(f, 0, "transfer_id")?,
            member_id: id(f, 1, "member_id")?,
            from_org_id: id(f, 2, "from_org_id")?,
            to_org_id: id(f, 3, "to_org_id")?,
            requested_on: parsed(f, 4, "requested_on", Date::parse)?,
            completed_on: opt_parsed(f, 5, "completed_on", Date::parse)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingRow {
    pub org_id: String,
    pub year: i32,
    pub stars: i32,
}

impl RatingRow {
    pub fn parse(f: &Fields<'_>) -> Result<Self, FieldError> {
        let year = parsed(f, 1, "year", integer)?;
        if !(1900..=9999).contains(&year) {
            return Err(FieldError::new("year", format!("{year} is not a year")));
        }
        let stars = parsed(f, 2, "stars", integer)?;
        if !(1..=5).contains(&stars) {
            return Err(FieldError::new("stars", format!("{stars} is not 1–5")));
        }
        Ok(RatingRow { org_id: id(f, 0, "org_id")?, year: year as i32, stars: stars as i32 })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectRow {
    pub project_id: String,
    pub org_id: String,
    pub title: String,
    pub started_on: Date,
    pub due_on: Date,
    pub completed_on: Option<Date>,
    pub progress: Dec6,
}

impl ProjectRow {
    pub fn parse(f: &Fields<'_>) -> Result<Self, FieldError> {
        let progress = parsed(f, 6, "progress", Dec6::parse)?;
        if progress < Dec6::ZERO || progress > Dec6::from_int(100) {
            return Err(FieldError::new("progress", format!("{progress} is not within 0–100")));
        }
        Ok(ProjectRow {
            project_id: id(f, 0, "project_id")?,
            org_id: id(f, 1, "org_id")?,
            title: text(f, 2, "title", true)?,
            started_on: parsed(f, 3, "started_on", Date::parse)?,
            due_on: parsed(f, 4, "due_on", Date::parse)?,
            completed_on: opt_parsed(f, 5, "completed_on", Date::parse)?,
            progress,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateRow {
    pub candidate_id: String,
    pub org_id: String,
    pub name: String,
    pub step: CandidateStep,
    pub step_on: Date,
}

impl CandidateRow {
    pub fn parse(f: &Fields<'_>) -> Result<Self, FieldError> {
        Ok(CandidateRow {
            candidate_id: id(f, 0, "candidate_id")?,
            org_id: id(f, 1, "org_id")?,
            name: text(f, 2, "name", true)?,
            step: parsed(f, 3, "step", CandidateStep::parse)?,
            step_on: parsed(f, 4, "step_on", Date::parse)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(fields: &[&str]) -> Result<EventRow, FieldError> {
        EventRow::parse(fields)
    }

    #[test]
    fn file_names() {
        assert_eq!(Entity::from_file_name("events.csv"), Some(Entity::Events));
        assert_eq!(Entity::from_file_name("Events-2024.part1.parquet"), Some(Entity::Events));
        assert_eq!(Entity::from_file_name("orgs_2.csv"), Some(Entity::Orgs));
        assert_eq!(Entity::from_file_name("orgsx.csv"), None);
        assert_eq!(Entity::from_file_name("readme.txt"), None);
    }

    #[test]
    fn event_rules() {
        let ok = ev(&["E1", "M1", "dues", "2024-01-31T10:00:00", "", "12.5", "2024-01", "manual"]).unwrap();
        assert_eq!(ok.quantity, Some(Dec6(12_500_000)));
        let e = ev(&["E1", "M1", "dues", "2024-01-31T10:00:00", "", "0", "2024-01", "manual"]).unwrap_err();
        assert_eq!(e.field, "quantity");
        let e = ev(&["E1", "M1", "dues", "2024-01-31T10:00:00", "", "5", "", "manual"]).unwrap_err();
        assert_eq!(e.field, "period");
        let e = ev(&["E1", "M1", "attend", "2024-01-31T10:00:00", "", "", "", "checkin"]).unwrap_err();
        assert_eq!(e.field, "activity_id");
        let e = ev(&["E1", "M1", "evaluation", "2024-12-31T10:00:00", "", "5", "2024-12", "manual"]).unwrap_err();
        assert_eq!(e.field, "quantity");
        let e = ev(&["E1", "M1", "evaluation", "2024-12-31T10:00:00", "", "2", "2024-11", "manual"]).unwrap_err();
        assert_eq!(e.field, "period");
        assert_eq!(ev(&["E1", "M1", "evaluation", "2024-12-31T10:00:00", "", "2", "2024-12", "manual"]).unwrap().grade(), Some(2));
        let e = ev(&["E1", "M1", "volunteer", "2024-12-31T10:00:00", "", "-1", "", "yongzhiyuan"]).unwrap_err();
        assert_eq!(e.field, "quantity");
        let e = ev(&["E1", "M1", "party", "2024-12-31T10:00:00", "", "", "", "manual"]).unwrap_err();
        assert_eq!(e.field, "kind");
        let e = ev(&["E 1", "M1", "study", "2024-12-31T10:00:00", "", "", "", "manual"]).unwrap_err();
        assert_eq!(e.field, "event_id");
        let e = ev(&["E1", "M1", "study", "2024-12-31", "", "", "", "manual"]).unwrap_err();
        assert_eq!(e.field, "occurred_at");
    }

    #[test]
    fn other_rows() {
        assert!(OrgRow::parse(&["O1", "O1", "x", "branch", "2020-01-01"]).is_err());
        assert!(OrgRow::parse(&["O1", "", "区", "district", "2020-01-01"]).unwrap().parent_id.is_none());
        assert!(MemberRow::parse(&["M1", "O1", "张三", "M", "1980-01-01", "2000-07-01", "full", "employed", "-1"]).is_err());
        assert!(MemberRow::parse(&["M1", "O1", "张三", "X", "1980-01-01", "2000-07-01", "full", "employed", "1"]).is_err());
        assert!(RatingRow::parse(&["O1", "2024", "6"]).is_err());
        assert_eq!(RatingRow::parse(&["O1", "2024", "5"]).unwrap().stars, 5);
        assert!(ProjectRow::parse(&["P1", "O1", "t", "2024-01-01", "2024-06-01", "", "101"]).is_err());
    }
}
