//! From validated contract rows to table rows: resolving references to stored (or just
//! imported) organisations, members and activities, and giving new ones their integer keys.

use super::table::{Prepared, Val};
use domain::{ActivityRow, CandidateRow, Entity, EventRow, FieldError, Fields, MemberRow, OrgRow, ProjectRow, RatingRow, ResourceRow, TransferRow};
use std::collections::HashMap;

/// The interchange ids already known, with their integer keys.
#[derive(Debug, Default)]
pub struct Refs {
    pub orgs: HashMap<String, i64>,
    pub members: HashMap<String, i64>,
    pub activities: HashMap<String, i64>,
    pub next_org: i64,
    pub next_member: i64,
    pub next_activity: i64,
}

fn key_for(map: &mut HashMap<String, i64>, next: &mut i64, id: &str) -> i64 {
    if let Some(&k) = map.get(id) {
        return k;
    }
    *next += 1;
    map.insert(id.to_owned(), *next);
    *next
}

fn org(refs: &Refs, field: &'static str, id: &str) -> Result<i64, FieldError> {
    refs.orgs.get(id).copied().ok_or_else(|| FieldError::new(field, format!("{id:?} is not a known organisation")))
}

fn member(refs: &Refs, field: &'static str, id: &str) -> Result<i64, FieldError> {
    refs.members.get(id).copied().ok_or_else(|| FieldError::new(field, format!("{id:?} is not a known member")))
}

/// Validates one row of `entity` (anything but orgs, which need the whole tree at once) and
/// prepares it for its table.
pub fn prepare_row(entity: Entity, fields: &Fields<'_>, refs: &mut Refs, line: u64) -> Result<Prepared, FieldError> {
    let vals: Vec<Val> = match entity {
        Entity::Orgs => unreachable!("organisations are prepared as a tree by prepare_orgs"),
        Entity::Members => {
            let r = MemberRow::parse(fields)?;
            let org = org(refs, "org_id", &r.org_id)?;
            let id = key_for(&mut refs.members, &mut refs.next_member, &r.member_id);
            vec![
                r.member_id.into(),
                id.into(),
                org.into(),
                r.name.into(),
                r.gender.as_str().to_owned().into(),
                i64::from(r.birth_date.0).into(),
                i64::from(r.joined_on.0).into(),
                r.status.as_str().to_owned().into(),
                r.category.as_str().to_owned().into(),
                r.monthly_dues.0.into(),
            ]
        }
        Entity::Activities => {
            let r = ActivityRow::parse(fields)?;
            let org = org(refs, "org_id", &r.org_id)?;
            let id = key_for(&mut refs.activities, &mut refs.next_activity, &r.activity_id);
            vec![r.activity_id.into(), id.into(), org.into(), r.kind.as_str().to_owned().into(), r.held_at.0.into(), r.title.into()]
        }
        Entity::Events => {
            let r = EventRow::parse(fields)?;
            let member = member(refs, "member_id", &r.member_id)?;
            let activity = match &r.activity_id {
                None => None,
                Some(a) => Some(refs.activities.get(a).copied().ok_or_else(|| FieldError::new("activity_id", format!("{a:?} is not a known activity")))?),
            };
            vec![
                r.event_id.into(),
                member.into(),
                i64::from(r.kind.code()).into(),
                r.occurred_at.0.into(),
                activity.into(),
                r.quantity.map(|q| q.0).into(),
                r.period.map(|p| i64::from(p.0)).into(),
                i64::from(r.source.code()).into(),
            ]
        }
        Entity::Resources => {
            let r = ResourceRow::parse(fields)?;
            vec![r.resource_id.into(), r.kind.as_str().to_owned().into(), r.title.into(), r.tags.into()]
        }
        Entity::Transfers => {
            let r = TransferRow::parse(fields)?;
            vec![
                r.transfer_id.into(),
                member(refs, "member_id", &r.member_id)?.into(),
                org(refs, "from_org_id", &r.from_org_id)?.into(),
                org(refs, "to_org_id", &r.to_org_id)?.into(),
                i64::from(r.requested_on.0).into(),
                r.completed_on.map(|d| i64::from(d.0)).into(),
            ]
        }
        Entity::Ratings => {
            let r = RatingRow::parse(fields)?;
            vec![org(refs, "org_id", &r.org_id)?.into(), i64::from(r.year).into(), i64::from(r.stars).into()]
        }
        Entity::Projects => {
            let r = ProjectRow::parse(fields)?;
            vec![
                r.project_id.into(),
                org(refs, "org_id", &r.org_id)?.into(),
                r.title.into(),
                i64::from(r.started_on.0).into(),
                i64::from(r.due_on.0).into(),
                r.completed_on.map(|d| i64::from(d.0)).into(),
                r.progress.0.into(),
            ]
        }
        Entity::Candidates => {
            let r = CandidateRow::parse(fields)?;
            vec![r.candidate_id.into(), r.step.as_str().to_owned().into(), org(refs, "org_id", &r.org_id)?.into(), r.name.into(), i64::from(r.step_on.0).into()]
        }
    };
    Ok(Prepared { line, vals })
}

/// One organisation row as read, with where it came from.
pub struct OrgInput {
    pub file: usize,
    pub line: u64,
    pub row: Result<OrgRow, FieldError>,
}

/// Resolves the organisation rows of one import as a tree: a row is accepted when its parent
/// is empty (a root), stored, or another accepted row of this import; a parent that leads
/// back to the row is a cycle and every organisation on it is rejected, as is everything
/// hanging below a rejected or unknown parent. Orgs may come in any order and in several
/// files; a stored organisation never changes parent (a different parent is a conflict).
/// Returns, in input order, each row's prepared form or its rejection.
pub fn prepare_orgs(inputs: &[OrgInput], refs: &mut Refs) -> Vec<Result<Prepared, FieldError>> {
    // The first valid row of each new org_id defines it; later duplicates are compared by the writer.
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, inp) in inputs.iter().enumerate() {
        if let Ok(r) = &inp.row {
            first.entry(r.org_id.as_str()).or_insert(i);
        }
    }
    #[derive(Clone)]
    enum State {
        Unvisited,
        Visiting,
        Ok,
        Bad(String),
    }
    let mut state = vec![State::Unvisited; inputs.len()];
    for start in 0..inputs.len() {
        if inputs[start].row.is_err() {
            continue;
        }
        // Walk up the chain of new orgs until something decided, then settle the path.
        let mut path = Vec::new();
        let mut cur = start;
        let verdict: Result<(), String> = loop {
            match &state[cur] {
                State::Ok => break Ok(()),
                State::Bad(_) => {
                    let parent = inputs[cur].row.as_ref().map(|r| r.org_id.clone()).unwrap_or_default();
                    break Err(format!("its parent {parent:?} was rejected (line {})", inputs[cur].line));
                }
                State::Visiting => {
                    let cycle: Vec<&str> =
                        path.iter().skip_while(|&&p| p != cur).map(|&p: &usize| inputs[p].row.as_ref().map(|r| r.org_id.as_str()).unwrap_or("")).collect();
                    let msg = format!("makes a cycle: {} → {}", cycle.join(" → "), cycle.first().copied().unwrap_or(""));
                    for &p in path.iter().skip_while(|&&p| p != cur) {
                        state[p] = State::Bad(msg.clone());
                    }
                    break Err(msg);
                }
                State::Unvisited => {}
            }
            state[cur] = State::Visiting;
            path.push(cur);
            let row = inputs[cur].row.as_ref().expect("only valid rows are walked");
            match &row.parent_id {
                None => break Ok(()),
                // A stored parent stands whatever this import says of it: stored orgs never
                // change parent, so no cycle can pass through one.
                Some(p) if refs.orgs.contains_key(p) => break Ok(()),
                Some(p) => match first.get(p.as_str()) {
                    Some(&next) => cur = next,
                    None => break Err(format!("{p:?} is not a known organisation")),
                },
            }
        };
        for &p in &path {
            if matches!(state[p], State::Visiting) {
                state[p] = match &verdict {
                    Ok(()) => State::Ok,
                    Err(e) => State::Bad(e.clone()),
                };
            }
        }
    }
    // Keys for the accepted new orgs, then the rows.
    for (i, inp) in inputs.iter().enumerate() {
        if let (Ok(r), State::Ok) = (&inp.row, &state[i]) {
            key_for(&mut refs.orgs, &mut refs.next_org, &r.org_id);
        }
    }
    inputs
        .iter()
        .enumerate()
        .map(|(i, inp)| {
            let r = inp.row.as_ref().map_err(Clone::clone)?;
            if let State::Bad(reason) = &state[i] {
                return Err(FieldError::new("parent_id", reason.clone()));
            }
            let id = refs.orgs[&r.org_id];
            let parent = r.parent_id.as_ref().map(|p| refs.orgs[p]);
            Ok(Prepared {
                line: inp.line,
                vals: vec![
                    r.org_id.clone().into(),
                    id.into(),
                    parent.into(),
                    r.name.clone().into(),
                    r.kind.as_str().to_owned().into(),
                    i64::from(r.established_on.0).into(),
                ],
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inp(line: u64, id: &str, parent: &str) -> OrgInput {
        OrgInput { file: 0, line, row: OrgRow::parse(&[id, parent, "n", "branch", "2020-01-01"]) }
    }

    #[test]
    fn tree_in_any_order_and_cycles() {
        let mut refs = Refs::default();
        refs.orgs.insert("D".into(), 1);
        refs.next_org = 1;
        let inputs = vec![
            inp(2, "B1", "S1"), // child before parent
            inp(3, "S1", "D"),
            inp(4, "X", "Y"), // cycle X → Y → X
            inp(5, "Y", "X"),
            inp(6, "Z", "X"), // below the cycle
            inp(7, "Q", "nobody"),
            inp(8, "R", ""),
        ];
        let out = prepare_orgs(&inputs, &mut refs);
        assert!(out[0].is_ok() && out[1].is_ok() && out[6].is_ok());
        assert!(out[2].as_ref().unwrap_err().reason.contains("cycle"), "{:?}", out[2]);
        assert!(out[3].as_ref().unwrap_err().reason.contains("cycle"));
        assert!(out[4].is_err());
        assert!(out[5].as_ref().unwrap_err().reason.contains("not a known"));
        // B1's parent is S1's new key.
        let s1 = refs.orgs["S1"];
        assert_eq!(out[0].as_ref().unwrap().vals[2], Val::Int(s1));
        assert!(!refs.orgs.contains_key("X"));
    }
}
