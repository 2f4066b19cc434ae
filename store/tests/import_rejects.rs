//! A malformed corpus: each case is a small directory of valid rows around bad ones, imported
//! on top of a valid base. Every bad row must be rejected with its file, the line where its
//! record starts (header = line 1, quoted line breaks counted) and a reason naming the
//! field; every valid row must be kept; nothing stored before may change.

mod common;

use common::data::{CsvStyle, Dataset, csv_text};
use common::{TestDb, assert_mentions, backends, dump};
use std::path::Path;
use store::import::{ImportOptions, ImportReport, import_dir};

const EV: &str = "event_id,member_id,kind,occurred_at,activity_id,quantity,period,source";
const MEM: &str = "member_id,org_id,name,gender,birth_date,joined_on,status,category,monthly_dues";
const ACT: &str = "activity_id,org_id,kind,held_at,title";
const ORG: &str = "org_id,parent_id,name,kind,established_on";
const RES: &str = "resource_id,kind,title,tags";
const TRA: &str = "transfer_id,member_id,from_org_id,to_org_id,requested_on,completed_on";
const RAT: &str = "org_id,year,stars";
const PRO: &str = "project_id,org_id,title,started_on,due_on,completed_on,progress";
const CAN: &str = "candidate_id,org_id,name,step,step_on";

fn opts(chunk_rows: usize) -> ImportOptions {
    ImportOptions { chunk_rows, progress: false }
}

/// One malformed directory. In file texts, `@` stands for a prefix unique to the case (so the
/// cases can share one database); the header is the first line of each text.
struct Case {
    name: &'static str,
    files: Vec<(&'static str, String)>,
    /// (file, line, words the reason must contain)
    rejects: Vec<(&'static str, u64, Vec<&'static str>)>,
    accepted: u64,
    unchanged: u64,
}

fn case(name: &'static str, files: &[(&'static str, &str)], rejects: &[(&'static str, u64, &[&'static str])], accepted: u64, unchanged: u64) -> Case {
    let prefix = format!("{name}-");
    Case {
        name,
        files: files.iter().map(|(f, t)| (*f, t.replace('@', &prefix))).collect(),
        rejects: rejects.iter().map(|(f, l, w)| (*f, *l, w.to_vec())).collect(),
        accepted,
        unchanged,
    }
}

fn cases() -> Vec<Case> {
    let long65 = "L".repeat(65);
    let long64 = "K".repeat(64);
    let bad_ids_events = format!(
        "{EV}
@1 x,M01,study,2024-05-01T10:00:00,,,,manual
@2,M 01,study,2024-05-01T10:00:00,,,,manual
{long65},M01,study,2024-05-01T10:00:00,,,,manual
{long64},M01,study,2024-05-01T10:00:00,,,,manual
,M01,study,2024-05-01T10:00:00,,,,manual
@6,M01,attend,2024-05-01T10:00:00,A 01,,,manual
@7é,M01,study,2024-05-01T10:00:00,,,,manual
"
    );
    vec![
        case(
            "unknown_member",
            &[
                (
                    "events.csv",
                    &format!(
                        "{EV}
@1,M01,study,2024-05-01T10:00:00,,,,manual
@2,NOBODY,study,2024-05-01T10:00:00,,,,manual
@3,M02,study,2024-05-01T10:00:00,,,,manual
"
                    ),
                ),
                (
                    "transfers.csv",
                    &format!(
                        "{TRA}
@t1,NOBODY,B1,B2,2024-01-01,
@t2,M01,B1,B2,2024-01-01,2024-02-01
"
                    ),
                ),
            ],
            &[("events.csv", 3, &["member_id", "not a known member"]), ("transfers.csv", 2, &["member_id", "not a known member"])],
            3,
            0,
        ),
        case(
            "unknown_org",
            &[
                (
                    "members.csv",
                    &format!(
                        "{MEM}
@1,B1,甲,M,1980-01-01,2000-01-01,full,employed,1
@2,NOPE,乙,F,1980-01-01,2000-01-01,full,employed,1
"
                    ),
                ),
                (
                    "activities.csv",
                    &format!(
                        "{ACT}
@a1,NOPE,theme_day,2024-05-01T10:00:00,x
@a2,B2,theme_day,2024-05-01T10:00:00,y
"
                    ),
                ),
                (
                    "ratings.csv",
                    &format!(
                        "{RAT}
NOPE,2030,3
B1,2030,3
"
                    ),
                ),
                (
                    "projects.csv",
                    &format!(
                        "{PRO}
@p1,B1,t,2024-01-01,2024-02-01,,10
@p2,NOPE,t,2024-01-01,2024-02-01,,10
"
                    ),
                ),
                (
                    "candidates.csv",
                    &format!(
                        "{CAN}
@c1,NOPE,某,application,2024-01-01
@c2,B2,某,application,2024-01-01
"
                    ),
                ),
                (
                    "transfers.csv",
                    &format!(
                        "{TRA}
@t1,M01,NOPE,B2,2024-01-01,
@t2,M01,B1,NOPE,2024-01-01,
@t3,M01,B1,B2,2024-01-01,
"
                    ),
                ),
                // A member imported in the same run can be referred to; a rejected one cannot.
                (
                    "events.csv",
                    &format!(
                        "{EV}
@e1,@1,study,2024-05-01T10:00:00,,,,manual
@e2,@2,study,2024-05-01T10:00:00,,,,manual
"
                    ),
                ),
            ],
            &[
                ("members.csv", 3, &["org_id", "not a known organisation"]),
                ("activities.csv", 2, &["org_id", "not a known organisation"]),
                ("ratings.csv", 2, &["org_id", "not a known organisation"]),
                ("projects.csv", 3, &["org_id", "not a known organisation"]),
                ("candidates.csv", 2, &["org_id", "not a known organisation"]),
                ("transfers.csv", 2, &["from_org_id", "not a known organisation"]),
                ("transfers.csv", 3, &["to_org_id", "not a known organisation"]),
                ("events.csv", 3, &["member_id", "not a known member"]),
            ],
            7,
            0,
        ),
        case(
            "unknown_activity",
            &[(
                "events.csv",
                &format!(
                    "{EV}
@1,M01,attend,2024-05-01T10:00:00,A01,,,checkin
@2,M01,attend,2024-05-01T10:00:00,NOPE,,,checkin
@3,M01,leave,2024-05-01T10:00:00,NOPE2,,,manual
@4,M02,leave,2024-05-01T10:00:00,A01,,,manual
"
                ),
            )],
            &[("events.csv", 3, &["activity_id", "not a known activity"]), ("events.csv", 4, &["activity_id", "not a known activity"])],
            2,
            0,
        ),
        case(
            "unknown_vocabulary",
            &[
                (
                    "events.csv",
                    &format!(
                        "{EV}
@1,M01,party,2024-05-01T10:00:00,,,,manual
@2,M01,study,2024-05-01T10:00:00,,,,manual
@3,M01,study,2024-05-01T10:00:00,,,,wechat
"
                    ),
                ),
                (
                    "members.csv",
                    &format!(
                        "{MEM}
@1,B1,甲,X,1980-01-01,2000-01-01,full,employed,1
@2,B1,乙,F,1980-01-01,2000-01-01,expelled,employed,1
@3,B1,丙,F,1980-01-01,2000-01-01,full,farmer,1
@4,B1,丁,M,1980-01-01,2000-01-01,probationary,student,0
"
                    ),
                ),
                (
                    "orgs.csv",
                    &format!(
                        "{ORG}
@o1,D1,某省,province,2020-01-01
@o2,D1,某街道,street,2020-01-01
"
                    ),
                ),
                (
                    "resources.csv",
                    &format!(
                        "{RES}
@r1,book,书,a;b
@r2,video,视频,
"
                    ),
                ),
                (
                    "candidates.csv",
                    &format!(
                        "{CAN}
@c1,B1,某,member,2024-01-01
@c2,B1,某,activist,2024-01-01
"
                    ),
                ),
                (
                    "activities.csv",
                    &format!(
                        "{ACT}
@a1,B1,meeting,2024-05-01T10:00:00,x
"
                    ),
                ),
            ],
            &[
                ("events.csv", 2, &["kind", "event kind"]),
                ("events.csv", 4, &["source"]),
                ("members.csv", 2, &["gender"]),
                ("members.csv", 3, &["status"]),
                ("members.csv", 4, &["category"]),
                ("orgs.csv", 2, &["kind", "organisation kind"]),
                ("resources.csv", 2, &["kind"]),
                ("candidates.csv", 2, &["step"]),
                ("activities.csv", 2, &["kind", "activity kind"]),
            ],
            5,
            0,
        ),
        case(
            "bad_dates",
            &[
                (
                    "members.csv",
                    &format!(
                        "{MEM}
@1,B1,甲,M,2023-02-30,2000-01-01,full,employed,1
@2,B1,乙,M,1980-01-01,2000-1-1,full,employed,1
@3,B1,丙,M,1980-01-01,2000-01-01,full,employed,1
"
                    ),
                ),
                (
                    "orgs.csv",
                    &format!(
                        "{ORG}
@o1,D1,某,street,2023-02-30
@o2,@o1,某,community,2020-01-01
"
                    ),
                ),
                (
                    "transfers.csv",
                    &format!(
                        "{TRA}
@t1,M01,B1,B2,2024-02-30,
@t2,M01,B1,B2,2024-02-01,2024-13-01
"
                    ),
                ),
                (
                    "projects.csv",
                    &format!(
                        "{PRO}
@p1,B1,t,2024-01-01,2023-02-29,,10
"
                    ),
                ),
                (
                    "candidates.csv",
                    &format!(
                        "{CAN}
@c1,B1,某,activist,2024-04-31
"
                    ),
                ),
                (
                    "events.csv",
                    &format!(
                        "{EV}
@e1,M01,dues,2024-05-01T10:00:00,,5,2024-13,manual
@e2,M01,dues,2024-05-01T10:00:00,,5,2024-5,manual
@e3,M01,dues,2024-05-01T10:00:00,,5,2024-05,manual
"
                    ),
                ),
            ],
            &[
                ("members.csv", 2, &["birth_date", "2023-02-30"]),
                ("members.csv", 3, &["joined_on"]),
                ("orgs.csv", 2, &["established_on"]),
                ("orgs.csv", 3, &["parent_id"]),
                ("transfers.csv", 2, &["requested_on"]),
                ("transfers.csv", 3, &["completed_on"]),
                ("projects.csv", 2, &["due_on"]),
                ("candidates.csv", 2, &["step_on"]),
                ("events.csv", 2, &["period"]),
                ("events.csv", 3, &["period"]),
            ],
            2,
            0,
        ),
        case(
            "bad_timestamps",
            &[
                (
                    "events.csv",
                    &format!(
                        "{EV}
@1,M01,study,2024-05-01T10:00:00+08:00,,,,manual
@2,M01,study,2024-05-01,,,,manual
@3,M01,study,2024-05-01T10:00:00Z,,,,manual
@4,M01,study,2024-05-01T25:00:00,,,,manual
@5,M01,study,2024-02-30T10:00:00,,,,manual
@6,M01,study,2024-05-01T10:00:00,,,,manual
"
                    ),
                ),
                (
                    "activities.csv",
                    &format!(
                        "{ACT}
@a1,B1,theme_day,2024-05-01T10:00,x
@a2,B1,theme_day,2024-05-01T10:00:00,y
"
                    ),
                ),
            ],
            &[
                ("events.csv", 2, &["occurred_at", "offset"]),
                ("events.csv", 3, &["occurred_at"]),
                ("events.csv", 4, &["occurred_at", "offset"]),
                ("events.csv", 5, &["occurred_at"]),
                ("events.csv", 6, &["occurred_at"]),
                ("activities.csv", 2, &["held_at"]),
            ],
            2,
            0,
        ),
        case(
            "grades",
            &[(
                "events.csv",
                &format!(
                    "{EV}
@1,M01,evaluation,2024-12-25T10:00:00,,5,2024-12,manual
@2,M01,evaluation,2024-12-25T10:00:00,,0,2024-12,manual
@3,M01,evaluation,2024-12-25T10:00:00,,2.5,2024-12,manual
@4,M01,evaluation,2024-12-25T10:00:00,,,2024-12,manual
@5,M01,evaluation,2024-12-25T10:00:00,,2,2024-11,manual
@6,M01,evaluation,2024-12-25T10:00:00,,2,,manual
@7,M01,evaluation,2024-12-25T10:00:00,,-1,2024-12,manual
@8,M01,evaluation,2025-01-05T10:00:00,,4,2024-12,manual
"
                ),
            )],
            &[
                ("events.csv", 2, &["quantity", "grade"]),
                ("events.csv", 3, &["quantity", "grade"]),
                ("events.csv", 4, &["quantity", "grade"]),
                ("events.csv", 5, &["quantity"]),
                ("events.csv", 6, &["period"]),
                ("events.csv", 7, &["period"]),
                ("events.csv", 8, &["quantity", "grade"]),
            ],
            1,
            0,
        ),
        case(
            "dues",
            &[
                (
                    "events.csv",
                    &format!(
                        "{EV}
@1,M01,dues,2024-05-01T10:00:00,,0,2024-05,manual
@2,M01,dues,2024-05-01T10:00:00,,-5,2024-05,manual
@3,M01,dues,2024-05-01T10:00:00,,,2024-05,manual
@4,M01,dues,2024-05-01T10:00:00,,5,,manual
@5,M01,dues,2024-05-01T10:00:00,,0.000001,2024-05,manual
@6,M01,dues,2024-05-01T10:00:00,,0.00,2024-05,manual
"
                    ),
                ),
                (
                    "members.csv",
                    &format!(
                        "{MEM}
@m1,B1,甲,M,1980-01-01,2000-01-01,full,employed,-1
@m2,B1,乙,M,1980-01-01,2000-01-01,full,employed,0
"
                    ),
                ),
            ],
            &[
                ("events.csv", 2, &["quantity", "positive"]),
                ("events.csv", 3, &["quantity", "positive"]),
                ("events.csv", 4, &["quantity"]),
                ("events.csv", 5, &["period"]),
                ("events.csv", 7, &["quantity", "positive"]),
                ("members.csv", 2, &["monthly_dues", "negative"]),
            ],
            2,
            0,
        ),
        case(
            "volunteer",
            &[(
                "events.csv",
                &format!(
                    "{EV}
@1,M01,volunteer,2024-05-01T10:00:00,,0,,yongzhiyuan
@2,M01,volunteer,2024-05-01T10:00:00,,-1.5,,yongzhiyuan
@3,M01,volunteer,2024-05-01T10:00:00,,,,yongzhiyuan
@4,M01,volunteer,2024-05-01T10:00:00,,0.25,,yongzhiyuan
"
                ),
            )],
            &[("events.csv", 2, &["quantity", "positive"]), ("events.csv", 3, &["quantity", "positive"]), ("events.csv", 4, &["quantity"])],
            1,
            0,
        ),
        case(
            "missing_activity",
            &[(
                "events.csv",
                &format!(
                    "{EV}
@1,M01,attend,2024-05-01T10:00:00,,,,checkin
@2,M01,leave,2024-05-01T10:00:00,,,,manual
@3,M01,attend,2024-05-01T10:00:00,A01,,,checkin
"
                ),
            )],
            &[("events.csv", 2, &["activity_id", "empty"]), ("events.csv", 3, &["activity_id", "empty"])],
            1,
            0,
        ),
        case(
            "bad_ids",
            &[
                ("events.csv", &bad_ids_events),
                (
                    "orgs.csv",
                    &format!(
                        "{ORG}
@o 1,D1,某,street,2020-01-01
@o2,D1,某,street,2020-01-01
"
                    ),
                ),
                (
                    "members.csv",
                    &format!(
                        "{MEM}
@m/1,B1,甲,M,1980-01-01,2000-01-01,full,employed,1
"
                    ),
                ),
            ],
            &[
                ("events.csv", 2, &["event_id", "character"]),
                ("events.csv", 3, &["member_id", "character"]),
                ("events.csv", 4, &["event_id", "64"]),
                ("events.csv", 6, &["event_id", "empty"]),
                ("events.csv", 7, &["activity_id", "character"]),
                ("events.csv", 8, &["event_id", "character"]),
                ("orgs.csv", 2, &["org_id", "character"]),
                ("members.csv", 2, &["member_id", "character"]),
            ],
            2,
            0,
        ),
        case(
            "decimals",
            &[
                (
                    "events.csv",
                    &format!(
                        "{EV}
@1,M01,volunteer,2024-05-01T10:00:00,,1.1234567,,yongzhiyuan
@2,M01,volunteer,2024-05-01T10:00:00,,1.123456,,yongzhiyuan
@3,M01,volunteer,2024-05-01T10:00:00,,1e2,,yongzhiyuan
@4,M01,volunteer,2024-05-01T10:00:00,,\"1,5\",,yongzhiyuan
"
                    ),
                ),
                (
                    "members.csv",
                    &format!(
                        "{MEM}
@m1,B1,甲,M,1980-01-01,2000-01-01,full,employed,1.1234567
"
                    ),
                ),
                (
                    "projects.csv",
                    &format!(
                        "{PRO}
@p1,B1,t,2024-01-01,2024-02-01,,50.1234567
@p2,B1,t,2024-01-01,2024-02-01,,101
@p3,B1,t,2024-01-01,2024-02-01,,-1
"
                    ),
                ),
            ],
            &[
                ("events.csv", 2, &["quantity", "decimal places"]),
                ("events.csv", 4, &["quantity"]),
                ("events.csv", 5, &["quantity"]),
                ("members.csv", 2, &["monthly_dues", "decimal places"]),
                ("projects.csv", 2, &["progress"]),
                ("projects.csv", 3, &["progress"]),
                ("projects.csv", 4, &["progress"]),
            ],
            1,
            0,
        ),
        case(
            "org_cycle",
            &[
                (
                    "orgs.csv",
                    &format!(
                        "{ORG}
@ok,D1,好,street,2020-01-01
@A,@B,甲,community,2020-01-01
@B,@A,乙,community,2020-01-01
@C,@A,丙,branch,2020-01-01
@D,@C,丁,branch,2020-01-01
@self,@self,自己,branch,2020-01-01
@E,NOPE,戊,branch,2020-01-01
@F,@ok,己,community,2020-01-01
@X,@Z,x,branch,2020-01-01
@Y,@X,y,branch,2020-01-01
@Z,@Y,z,branch,2020-01-01
"
                    ),
                ),
                (
                    "members.csv",
                    &format!(
                        "{MEM}
@m1,@C,甲,M,1980-01-01,2000-01-01,full,employed,1
@m2,@F,乙,M,1980-01-01,2000-01-01,full,employed,1
"
                    ),
                ),
            ],
            &[
                ("orgs.csv", 3, &["parent_id", "cycle"]),
                ("orgs.csv", 4, &["parent_id", "cycle"]),
                ("orgs.csv", 5, &["parent_id"]),
                ("orgs.csv", 6, &["parent_id"]),
                ("orgs.csv", 7, &["parent_id", "cycle"]),
                ("orgs.csv", 8, &["parent_id", "not a known organisation"]),
                ("orgs.csv", 10, &["parent_id", "cycle"]),
                ("orgs.csv", 11, &["parent_id", "cycle"]),
                ("orgs.csv", 12, &["parent_id", "cycle"]),
                ("members.csv", 2, &["org_id", "not a known organisation"]),
            ],
            3,
            0,
        ),
        case(
            "field_count",
            &[(
                "events.csv",
                &format!(
                    "{EV}
@1,M01,study,2024-05-01T10:00:00,,,manual
@2,M01,study,2024-05-01T10:00:00,,,,manual,extra
@3,M01,study,2024-05-01T10:00:00,,,,manual
"
                ),
            )],
            &[("events.csv", 2, &["fields"]), ("events.csv", 3, &["fields"])],
            1,
            0,
        ),
        case(
            "missing_header_column",
            &[
                (
                    "events.csv",
                    "event_id,member_id,kind,occurred_at,activity_id,period,source
@1,M01,study,2024-05-01T10:00:00,,,manual
@2,M01,study,2024-05-01T10:00:00,,,manual
",
                ),
                (
                    "events-ok.csv",
                    &format!(
                        "{EV}
@3,M01,study,2024-05-01T10:00:00,,,,manual
"
                    ),
                ),
            ],
            &[("events.csv", 1, &["quantity"])],
            1,
            0,
        ),
        case(
            "stars",
            &[(
                "ratings.csv",
                &format!(
                    "{RAT}
B1,2031,6
B1,2032,0
B1,2033,5
B1,20x4,3
"
                ),
            )],
            &[("ratings.csv", 2, &["stars"]), ("ratings.csv", 3, &["stars"]), ("ratings.csv", 5, &["year"])],
            1,
            0,
        ),
        case(
            "duplicates",
            &[(
                "events.csv",
                &format!(
                    "{EV}
@1,M01,dues,2024-05-01T10:00:00,,5,2024-05,manual
@1,M01,dues,2024-05-01T10:00:00,,6,2024-05,manual
@2,M01,study,2024-05-01T10:00:00,,,,manual
@2,M01,study,2024-05-01T10:00:00,,,,manual
@3,M02,study,2024-05-01T10:00:00,,,,manual
@3,M02,study,2024-05-01T10:00:00,,,,checkin
@4,M02,dues,2024-05-01T10:00:00,,5.00,2024-05,manual
@4,M02,dues,2024-05-01T10:00:00,,5,2024-05,manual
"
                ),
            )],
            &[("events.csv", 3, &["conflict", "quantity"]), ("events.csv", 7, &["conflict", "source"])],
            4,
            2,
        ),
        case(
            "multiline_records",
            &[(
                "activities.csv",
                &format!(
                    "{ACT}
@1,B1,theme_day,2024-05-01T10:00:00,\"多行
标题
第三行\"
@2,NOPE,theme_day,2024-05-01T10:00:00,x
@3,NOPE,theme_day,2024-05-01T10:00:00,\"坏的
标题\"
@4,B1,theme_day,2024-05-01T10:00:00,\"a,\"\"b\"\"
c\"
@5,B1,meeting,2024-05-01T10:00:00,y
"
                ),
            )],
            &[
                ("activities.csv", 5, &["org_id", "not a known organisation"]),
                ("activities.csv", 6, &["org_id", "not a known organisation"]),
                ("activities.csv", 10, &["kind"]),
            ],
            2,
            0,
        ),
        // Issue 11 item 5: the file ends inside a quoted field. The csv parser closes the
        // quote silently; the record is cut short and must not be stored.
        case(
            "cut_in_a_quote",
            &[(
                "activities.csv",
                &format!(
                    "{ACT}
@1,B1,theme_day,2024-05-01T10:00:00,\"完整的标题\"
@2,B1,theme_day,2024-05-01T10:00:00,\"被截断的
标题"
                ),
            )],
            &[("activities.csv", 3, &["ends inside a quoted field"])],
            1,
            0,
        ),
        // NUL and other control characters, a field over 4 KB and a record over 64 KB:
        // rejected per row, the rows around them kept.
        case(
            "control_and_length",
            &[(
                "activities.csv",
                &format!(
                    "{ACT}
@1,B1,theme_day,2024-05-01T10:00:00,nul\u{0}here
@2,B1,theme_day,2024-05-01T10:00:00,bell\u{7}
@3,B1,theme_day,2024-05-01T10:00:00,\"tab\tand
line break are text\"
@4,B1,theme_day,2024-05-01T10:00:00,{}
@5,B1,theme_day,2024-05-01T10:00:00,{}
@6,B1,theme_day,2024-05-01T10:00:00,{}
",
                    "长".repeat(1366),
                    "长".repeat(1365),
                    "x".repeat(70_000)
                ),
            )],
            &[
                ("activities.csv", 2, &["title", "NUL"]),
                ("activities.csv", 3, &["title", "control character 0x07"]),
                ("activities.csv", 6, &["title", "4096"]),
                ("activities.csv", 8, &["65536"]),
            ],
            2,
            0,
        ),
    ]
}

fn fmt_rejections(r: &ImportReport) -> String {
    r.rejections.iter().map(|x| format!("\n    {x}")).collect()
}

/// Imports one case and returns what went wrong (empty = as expected).
async fn check_case(db: &TestDb, c: &Case, root: &Path, chunk_rows: usize) -> Vec<String> {
    let label = format!("[{} chunk_rows={chunk_rows}] {}", db.label, c.name);
    let dir = root.join(format!("{}-{chunk_rows}-{}", db.label, c.name));
    std::fs::create_dir_all(&dir).unwrap();
    for (f, text) in &c.files {
        std::fs::write(dir.join(f), text).unwrap();
    }
    let before = db.store.counts().await.unwrap();
    let r = match import_dir(&db.store, &dir, &opts(chunk_rows)).await {
        Ok(r) => r,
        Err(e) => return vec![format!("{label}: the import failed instead of rejecting rows: {e}")],
    };
    let mut problems = Vec::new();
    let mut got: Vec<(String, u64, String)> = r.rejections.iter().map(|x| (x.file.clone(), x.line, x.reason.clone())).collect();
    got.sort();
    let mut want = c.rejects.clone();
    want.sort_by_key(|w| (w.0, w.1));
    let got_pos: Vec<(&str, u64)> = got.iter().map(|g| (g.0.as_str(), g.1)).collect();
    let want_pos: Vec<(&str, u64)> = want.iter().map(|w| (w.0, w.1)).collect();
    if got_pos != want_pos {
        problems.push(format!("{label}: rejected (file, line) {got_pos:?}, expected {want_pos:?}; rejections:{}", fmt_rejections(&r)));
    } else {
        for (g, w) in got.iter().zip(&want) {
            let lower = g.2.to_lowercase();
            for needle in &w.2 {
                if !lower.contains(&needle.to_lowercase()) {
                    problems.push(format!("{label}: {}:{}: reason {:?} should mention {needle:?}", g.0, g.1, g.2));
                }
            }
        }
    }
    if r.rejected != r.rejections.len() as u64 {
        problems.push(format!("{label}: report.rejected {} but {} rejections listed", r.rejected, r.rejections.len()));
    }
    if !c.rejects.is_empty() && r.rejected == 0 {
        problems.push(format!("{label}: nothing rejected: the CLI would exit 0"));
    }
    if r.accepted != c.accepted {
        problems.push(format!("{label}: accepted {} rows, expected {}{}", r.accepted, c.accepted, fmt_rejections(&r)));
    }
    if r.unchanged != c.unchanged {
        problems.push(format!("{label}: unchanged {} rows, expected {}", r.unchanged, c.unchanged));
    }
    let per_file: u64 = r.files.iter().map(|f| f.rejected).sum();
    if per_file != r.rejected {
        problems.push(format!("{label}: per-file rejected add up to {per_file}, report says {}", r.rejected));
    }
    // Accepted rows are really stored, nothing else is.
    let after = db.store.counts().await.unwrap();
    let grown =
        (after.orgs + after.members + after.activities + after.events + after.resources + after.transfers + after.ratings + after.projects + after.candidates)
            - (before.orgs
                + before.members
                + before.activities
                + before.events
                + before.resources
                + before.transfers
                + before.ratings
                + before.projects
                + before.candidates);
    if grown != r.accepted as i64 {
        problems.push(format!("{label}: the tables grew by {grown} rows but {} were accepted", r.accepted));
    }
    // The rejections are recorded with the batch.
    let recorded = common::scalar(&db.store, &format!("SELECT COUNT(*) FROM import_rejections WHERE batch_id = {}", r.batch_id)).await;
    if recorded != r.rejected as i64 {
        problems.push(format!("{label}: import_rejections holds {recorded} rows for the batch, report says {}", r.rejected));
    }
    let status = common::rows(&db.store, &format!("SELECT status FROM import_batches WHERE id = {}", r.batch_id)).await;
    if status != vec![vec![Some("done".to_owned())]] {
        problems.push(format!("{label}: batch status {status:?}, expected done"));
    }
    problems
}

async fn base(db: &TestDb, root: &Path) -> Vec<String> {
    let dir = root.join(format!("base-{}", db.label));
    Dataset::full().write_csv_plain(&dir);
    let r = import_dir(&db.store, &dir, &opts(50_000)).await.unwrap_or_else(|e| panic!("[{}] base import: {e}", db.label));
    assert_eq!(r.rejected, 0, "[{}] base import:{}", db.label, fmt_rejections(&r));
    dump(&db.store).await
}

/// The whole corpus, in one big chunk and in chunks of 2 rows (duplicates then straddle
/// chunks, and rejections pile up between chunks).
#[tokio::test]
async fn malformed_corpus() {
    let root = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    for chunk_rows in [50_000, 2] {
        for db in backends().await {
            let stored = base(&db, root.path()).await;
            for c in cases() {
                problems.extend(check_case(&db, &c, root.path(), chunk_rows).await);
            }
            // Nothing stored by the base import changed or disappeared.
            let now = dump(&db.store).await;
            let lost: Vec<&String> = stored.iter().filter(|l| !now.contains(l)).collect();
            if !lost.is_empty() {
                problems.push(format!("[{} chunk_rows={chunk_rows}] stored rows changed or lost: {lost:?}", db.label));
            }
            // Re-importing every case directory: the same rejections again, nothing new stored.
            for c in cases() {
                let dir = root.path().join(format!("{}-{chunk_rows}-{}", db.label, c.name));
                let r = import_dir(&db.store, &dir, &opts(chunk_rows)).await;
                match r {
                    Ok(r) => {
                        if r.accepted != 0 || r.rejected != c.rejects.len() as u64 {
                            problems.push(format!(
                                "[{} chunk_rows={chunk_rows}] {} re-imported: accepted {} (expected 0), rejected {} (expected {})",
                                db.label,
                                c.name,
                                r.accepted,
                                r.rejected,
                                c.rejects.len()
                            ));
                        }
                    }
                    Err(e) => problems.push(format!("[{}] {} re-import failed: {e}", db.label, c.name)),
                }
            }
        }
    }
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
}

/// Rows that try to change stored data are conflicts naming the field; the stored values stay.
#[tokio::test]
async fn conflicts_with_stored_rows_keep_the_stored_values() {
    let root = tempfile::tempdir().unwrap();
    for db in backends().await {
        let label = db.label;
        let stored = base(&db, root.path()).await;
        let tree_before = db.store.org_children(Some("D1")).await.unwrap();
        let dir = root.path().join(format!("conflicts-{label}"));
        std::fs::create_dir_all(&dir).unwrap();
        let files: [(&str, String); 9] = [
            (
                "members.csv",
                format!(
                    "{MEM}
M01,B1,张伟改,M,1970-01-15,1995-07-01,full,employed,50.00
M02,B2,王芳,F,1985-02-28,2010-06-30,full,retired,5.50
M03,B1,\"李娜, Jr.\",F,1990-12-31,2015-01-01,probationary,mobile,0
M04,B2,\"刘\"\"强\"\"\",M,1960-06-06,1985-05-05,full,new_economy,12.3450
M05,B2,陈静,F,1975-07-07,2000-07-01,full,rural,2
NEWM,B1,新人,M,1990-01-01,2020-01-01,full,employed,3
"
                ),
            ),
            (
                "orgs.csv",
                format!(
                    "{ORG}
S1,T1,东湖街道,street,1995-03-15
C1,S1,湖畔社区改名,community,2001-05-20
D1,,滨海新区,district,1990-01-01
K1,G1,湖畔社区党委,committee,2004-07-01
"
                ),
            ),
            (
                "events.csv",
                format!(
                    "{EV}
E016,M01,dues,2024-01-31T10:00:00,,50.01,2024-01,fengling_ejia
E017,M02,dues,2024-01-15T10:00:00,,2.750,2024-01,fengling_ejia
E001,M01,attend,2024-01-10T09:05:00,A02,,,checkin
E002,M02,attend,2024-01-10T09:10:01,A01,,,checkin
E003,M03,attend,2024-01-10T08:00:00,A01,,,manual
E004,M02,attend,2024-01-05T14:30:00,A02,,,fengling_ejia
NEWE,M01,study,2024-06-01T10:00:00,,,,manual
"
                ),
            ),
            (
                "activities.csv",
                format!(
                    "{ACT}
A01,B1,party_congress,2024-01-10T09:00:00,改了的标题
A02,B2,committee_meeting,2024-01-05T14:30:00,\"支委会, 一月\"
"
                ),
            ),
            ("resources.csv", format!("{RES}\nR1,lecturer,\"王教授, 党校\",党史;理论;新\n")),
            ("transfers.csv", format!("{TRA}\nTR2,M06,B3,B4,2024-05-01,2024-06-01\n")),
            ("ratings.csv", format!("{RAT}\nB1,2023,4\n")),
            ("projects.csv", format!("{PRO}\nPJ2,B3,\"乡村振兴, 桃花产业\",2024-03-01,2024-12-31,,50\n")),
            ("candidates.csv", format!("{CAN}\nCD1,B1,林晓,activist,2023-07-11\n")),
        ];
        for (f, t) in &files {
            std::fs::write(dir.join(f), t).unwrap();
        }
        let r = import_dir(&db.store, &dir, &opts(50_000)).await.unwrap_or_else(|e| panic!("[{label}] import: {e}"));
        let want: Vec<(&str, u64, &[&str])> = vec![
            ("activities.csv", 2, &["conflict", "title"]),
            ("activities.csv", 3, &["conflict", "org_id"]),
            ("candidates.csv", 2, &["conflict", "step_on"]),
            ("events.csv", 2, &["conflict", "quantity"]),
            ("events.csv", 4, &["conflict", "activity_id"]),
            ("events.csv", 5, &["conflict", "occurred_at"]),
            ("events.csv", 6, &["conflict", "kind"]),
            ("events.csv", 7, &["conflict", "member_id"]),
            ("members.csv", 2, &["conflict", "name"]),
            ("members.csv", 3, &["conflict", "org_id"]),
            ("members.csv", 6, &["conflict", "monthly_dues"]),
            ("orgs.csv", 2, &["parent_id"]),
            ("orgs.csv", 3, &["conflict", "name"]),
            ("orgs.csv", 5, &["parent_id"]),
            ("projects.csv", 2, &["conflict", "progress"]),
            ("ratings.csv", 2, &["conflict", "stars"]),
            ("resources.csv", 2, &["conflict", "tags"]),
            ("transfers.csv", 2, &["conflict", "completed_on"]),
        ];
        let mut got: Vec<_> = r.rejections.clone();
        got.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        let got_pos: Vec<(&str, u64)> = got.iter().map(|g| (g.file.as_str(), g.line)).collect();
        let want_pos: Vec<(&str, u64)> = want.iter().map(|w| (w.0, w.1)).collect();
        assert_eq!(got_pos, want_pos, "[{label}] rejections:{}", fmt_rejections(&r));
        for (g, w) in got.iter().zip(&want) {
            assert_mentions(&format!("[{label}] {}:{}", g.file, g.line), &g.reason, w.2);
        }
        // Conflicting fields that are not the differing one are not blamed.
        let m01 = got.iter().find(|g| g.file == "members.csv" && g.line == 2).unwrap();
        assert!(!m01.reason.contains("monthly_dues"), "[{label}] only the name differs: {}", m01.reason);
        assert_eq!(r.accepted, 2, "[{label}] NEWM and NEWE are new");
        assert_eq!(r.unchanged, 4, "[{label}] M03, M04 (12.3450 = 12.345), D1, E017 (2.750) are unchanged");
        assert!(r.rejected > 0);

        // Stored values unchanged: every base row is still there, exactly as it was.
        let now = dump(&db.store).await;
        let lost: Vec<&String> = stored.iter().filter(|l| !now.contains(l)).collect();
        assert!(lost.is_empty(), "[{label}] stored rows changed: {lost:?}");
        assert_eq!(now.len(), stored.len() + 2, "[{label}] only the two new rows were added");
        let name = common::rows(&db.store, "SELECT name FROM members WHERE member_id = 'M01'").await;
        assert_eq!(name, vec![vec![Some("张伟".to_owned())]], "[{label}] M01's name");
        let q = common::rows(&db.store, "SELECT CAST(quantity AS TEXT) FROM events WHERE event_id = 'E016'").await;
        assert_eq!(q, vec![vec![Some("50000000".to_owned())]], "[{label}] E016's quantity");
        let parent = common::rows(&db.store, "SELECT p.org_id FROM orgs o JOIN orgs p ON p.id = o.parent WHERE o.org_id = 'S1'").await;
        assert_eq!(parent, vec![vec![Some("D1".to_owned())]], "[{label}] S1's parent");
        let parent = common::rows(&db.store, "SELECT p.org_id FROM orgs o JOIN orgs p ON p.id = o.parent WHERE o.org_id = 'K1'").await;
        assert_eq!(parent, vec![vec![Some("C1".to_owned())]], "[{label}] K1's parent");
        let tree_after = db.store.org_children(Some("D1")).await.unwrap();
        let mut expected_tree = tree_before.clone();
        for n in expected_tree.iter_mut().filter(|n| n.org_id == "S1") {
            n.members += 1; // NEWM joined B1
        }
        assert_eq!(tree_after, expected_tree, "[{label}] the tree below the district");
        let roots = db.store.org_children(None).await.unwrap();
        assert_eq!(roots.len(), 1, "[{label}] {roots:?}");
        assert_eq!(roots[0].members, common::data::expect::MEMBERS + 1, "[{label}]");
    }
}

/// Runs `dir`'s files through an import on `db` and returns the report, or a problem.
async fn import_files(db: &TestDb, root: &Path, name: &str, files: &[(&str, String)]) -> Result<ImportReport, String> {
    let dir = root.join(format!("{name}-{}", db.label));
    std::fs::create_dir_all(&dir).unwrap();
    for (f, t) in files {
        std::fs::write(dir.join(f), t).unwrap();
    }
    import_dir(&db.store, &dir, &opts(50_000)).await.map_err(|e| format!("[{}] {name}: the import failed: {e}", db.label))
}

/// Fails with every backend's problems at once (so a bug on one backend does not hide the
/// other's behaviour).
fn assert_no_problems(problems: Vec<String>) {
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
}

/// Each copy of a row that differs from the stored one is a conflict, even when two such
/// copies are identical to each other.
#[tokio::test]
async fn every_copy_of_a_conflicting_row_is_reported() {
    let root = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    for db in backends().await {
        base(&db, root.path()).await;
        let text = format!(
            "{EV}
E016,M01,dues,2024-01-31T10:00:00,,60,2024-01,fengling_ejia
E016,M01,dues,2024-01-31T10:00:00,,60,2024-01,fengling_ejia
"
        );
        match import_files(&db, root.path(), "copies", &[("events.csv", text)]).await {
            Err(e) => problems.push(e),
            Ok(r) => {
                let lines: Vec<u64> = r.rejections.iter().map(|x| x.line).collect();
                if lines != [2, 3] || (r.accepted, r.unchanged) != (0, 0) {
                    problems.push(format!(
                        "[{}] both copies differ from the stored E016 and should be rejected (lines [2, 3]); got rejected lines {lines:?}, accepted {}, unchanged {}:{}",
                        db.label,
                        r.accepted,
                        r.unchanged,
                        fmt_rejections(&r)
                    ));
                }
            }
        }
        let q = common::rows(&db.store, "SELECT CAST(quantity AS TEXT) FROM events WHERE event_id = 'E016'").await;
        if q != vec![vec![Some("50000000".to_owned())]] {
            problems.push(format!("[{}] E016's stored quantity changed: {q:?}", db.label));
        }
    }
    assert_no_problems(problems);
}

/// A new organisation under a stored parent is valid even when a re-imported row of that parent
/// in the same file is rejected: the stored parent still exists.
#[tokio::test]
async fn new_child_of_a_stored_org_survives_a_bad_row_of_its_parent() {
    let root = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    for db in backends().await {
        base(&db, root.path()).await;
        let text = format!(
            "{ORG}
S1,NOPE,东湖街道,street,1995-03-15
NEWC,S1,新社区,community,2020-01-01
"
        );
        match import_files(&db, root.path(), "child", &[("orgs.csv", text)]).await {
            Err(e) => problems.push(e),
            Ok(r) => {
                let got: Vec<(u64, &str)> = r.rejections.iter().map(|x| (x.line, x.reason.as_str())).collect();
                if got.len() != 1 || got[0].0 != 2 || !got[0].1.contains("parent_id") || r.accepted != 1 {
                    problems.push(format!(
                        "[{}] only S1's row (line 2) is bad, NEWC hangs below the stored S1 and should be accepted; got accepted {}, rejections {got:?}",
                        db.label, r.accepted
                    ));
                }
            }
        }
        let parent = common::rows(&db.store, "SELECT p.org_id FROM orgs o JOIN orgs p ON p.id = o.parent WHERE o.org_id = 'S1'").await;
        if parent != vec![vec![Some("D1".to_owned())]] {
            problems.push(format!("[{}] S1's stored parent changed: {parent:?}", db.label));
        }
    }
    assert_no_problems(problems);
}

/// Lines are physical lines where the record starts, in a CRLF file with a BOM too.
#[tokio::test]
async fn crlf_and_bom_line_numbers() {
    let root = tempfile::tempdir().unwrap();
    let lf = format!(
        "{ACT}
CR1,B1,theme_day,2024-05-01T10:00:00,\"多行
标题
第三行\"
CR2,NOPE,theme_day,2024-05-01T10:00:00,x
CR3,NOPE,theme_day,2024-05-01T10:00:00,\"坏的
标题\"
CR4,B1,theme_day,2024-05-01T10:00:00,ok
CR5,B1,meeting,2024-05-01T10:00:00,y
"
    );
    // Records end CRLF; the line breaks inside quoted titles stay LF (as Excel writes them).
    let mut crlf = String::from("\u{feff}");
    let mut in_quotes = false;
    for ch in lf.chars() {
        if ch == '"' {
            in_quotes = !in_quotes;
        }
        if ch == '\n' && !in_quotes {
            crlf.push('\r');
        }
        crlf.push(ch);
    }
    // And a variant whose quoted line breaks are CRLF too.
    let all_crlf = format!("\u{feff}{}", lf.replace('\n', "\r\n"));
    let mut problems = Vec::new();
    for db in backends().await {
        base(&db, root.path()).await;
        for (name, text) in [("lf-bom", format!("\u{feff}{lf}")), ("crlf", crlf.clone()), ("all-crlf", all_crlf.clone())] {
            // Ids of their own per variant (the titles differ: LF or CRLF inside the quotes).
            let text = text.replace("CR", &format!("{}-", name.replace('-', "")));
            match import_files(&db, root.path(), name, &[("activities.csv", text)]).await {
                Err(e) => problems.push(e),
                Ok(r) => {
                    let lines: Vec<u64> = r.rejections.iter().map(|x| x.line).collect();
                    if lines != [5, 6, 9] || r.accepted != 2 {
                        problems.push(format!(
                            "[{}] {name}: bad records start on lines [5, 6, 9]; reported {lines:?} (accepted {}):{}",
                            db.label,
                            r.accepted,
                            fmt_rejections(&r)
                        ));
                    }
                }
            }
        }
    }
    assert_no_problems(problems);
}

/// A blank line between records is skipped, and does not shift the reported line numbers.
#[tokio::test]
async fn blank_lines_do_not_shift_line_numbers() {
    let root = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    for db in backends().await {
        base(&db, root.path()).await;
        let text = format!(
            "{EV}
BL1,M01,study,2024-05-01T10:00:00,,,,manual

BL2,NOBODY,study,2024-05-01T10:00:00,,,,manual
BL3,M01,study,2024-05-01T10:00:00,,,,manual
"
        );
        match import_files(&db, root.path(), "blank", &[("events.csv", text)]).await {
            Err(e) => problems.push(e),
            Ok(r) => {
                let lines: Vec<u64> = r.rejections.iter().map(|x| x.line).collect();
                if lines != [4] || r.accepted != 2 {
                    problems.push(format!(
                        "[{}] BL2 starts on line 4 (after a blank line 3); reported {lines:?}, accepted {}:{}",
                        db.label,
                        r.accepted,
                        fmt_rejections(&r)
                    ));
                }
            }
        }
    }
    assert_no_problems(problems);
}

/// A timestamp written the Chinese way is a bad value like any other: rejected, not fatal.
#[tokio::test]
async fn non_ascii_timestamp_is_rejected_not_fatal() {
    let root = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    for db in backends().await {
        let stored = base(&db, root.path()).await;
        let activities = format!(
            "{ACT}
ZH1,B1,theme_day,2024-05-01T10:00:00,ok
ZH2,B1,theme_day,2024-01-05 19时30分00秒,bad
ZH3,B1,theme_day,2024-05-01T10:00:00,ok
"
        );
        let events = format!(
            "{EV}
ZE1,M01,study,2024-05-01 10时00分00秒,,,,manual
ZE2,M01,study,2024-05-01T10:00:00,,,,manual
"
        );
        match import_files(&db, root.path(), "zh-ts", &[("activities.csv", activities), ("events.csv", events)]).await {
            Err(e) => problems.push(format!("{e} (a malformed timestamp should only reject its row)")),
            Ok(r) => {
                let got: Vec<(&str, u64)> = r.rejections.iter().map(|x| (x.file.as_str(), x.line)).collect();
                let named = r.rejections.iter().all(|x| x.reason.contains(if x.file == "events.csv" { "occurred_at" } else { "held_at" }));
                if got != [("activities.csv", 3), ("events.csv", 2)] || !named || r.accepted != 3 {
                    problems.push(format!(
                        "[{}] expected activities.csv:3 and events.csv:2 rejected, 3 accepted; got accepted {}:{}",
                        db.label,
                        r.accepted,
                        fmt_rejections(&r)
                    ));
                }
            }
        }
        let now = dump(&db.store).await;
        if !stored.iter().all(|l| now.contains(l)) {
            problems.push(format!("[{}] stored rows changed", db.label));
        }
    }
    assert_no_problems(problems);
}

/// Parquet has no lines: a rejection names the 1-based row number, in typed and string files.
#[tokio::test]
async fn parquet_rejections_name_the_row() {
    use common::data::{EVENT_COLS, typed_column, write_parquet};
    use polars::prelude::{Column, NamedFrom, Series};
    let root = tempfile::tempdir().unwrap();
    let rows: Vec<[&str; 8]> = vec![
        ["PQ1", "M01", "study", "2024-05-01T10:00:00", "", "", "", "manual"],
        ["PQ2", "M01", "volunteer", "2024-05-01T10:00:00", "", "1.5", "", "yongzhiyuan"],
        ["PQ3", "NOBODY", "study", "2024-05-01T10:00:00", "", "", "", "manual"],
        ["PQ4", "M01", "evaluation", "2024-12-25T10:00:00", "", "5", "2024-12", "manual"],
        ["PQ5", "M01", "attend", "2024-05-01T10:00:00", "NOPE", "", "", "checkin"],
        ["PQ6", "M02", "dues", "2024-05-01T10:00:00", "", "0", "2024-05", "manual"],
        ["PQ7", "M02", "dues", "2024-05-01T10:00:00", "", "7.25", "2024-05", "manual"],
    ];
    for db in backends().await {
        base(&db, root.path()).await;
        for typed in [false, true] {
            let dir = root.path().join(format!("pq-{}-{typed}", db.label));
            std::fs::create_dir_all(&dir).unwrap();
            let cols: Vec<Column> = EVENT_COLS
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    // Distinct ids per variant.
                    let vals: Vec<String> = rows.iter().map(|r| if i == 0 { format!("{}{}", r[0], typed) } else { r[i].to_owned() }).collect();
                    if typed {
                        typed_column("events", c, vals.iter().map(String::as_str))
                    } else {
                        let v: Vec<Option<&str>> = vals.iter().map(|s| Some(s.as_str()).filter(|s| !s.is_empty())).collect();
                        Column::from(Series::new((*c).into(), v))
                    }
                })
                .collect();
            write_parquet(&dir.join("events.parquet"), cols);
            for chunk_rows in [50_000, 2] {
                let r = import_dir(&db.store, &dir, &opts(chunk_rows)).await.unwrap();
                let got: Vec<(&str, u64)> = r.rejections.iter().map(|x| (x.file.as_str(), x.line)).collect();
                assert_eq!(
                    got,
                    vec![("events.parquet", 3), ("events.parquet", 4), ("events.parquet", 5), ("events.parquet", 6)],
                    "[{} typed={typed} chunk_rows={chunk_rows}]{}",
                    db.label,
                    fmt_rejections(&r)
                );
                let needles: [&[&str]; 4] = [&["member_id"], &["quantity", "grade"], &["activity_id"], &["quantity", "positive"]];
                for (x, n) in r.rejections.iter().zip(needles) {
                    assert_mentions(&x.to_string(), &x.reason, n);
                }
                assert_eq!(r.accepted + r.unchanged, 3, "[{} typed={typed}]", db.label);
            }
        }
    }
}

/// A file whose header lacks columns is rejected whole at line 1 (the reason names them) even
/// when its rows are valid; a broken Parquet file likewise.
#[tokio::test]
async fn unreadable_files_are_rejected_whole() {
    let root = tempfile::tempdir().unwrap();
    for db in backends().await {
        base(&db, root.path()).await;
        let dir = root.path().join(format!("whole-{}", db.label));
        std::fs::create_dir_all(&dir).unwrap();
        let style = CsvStyle::plain();
        std::fs::write(dir.join("members.csv"), csv_text(&["member_id", "org_id", "name"], &[vec!["W1".into(), "B1".into(), "x".into()]], &style)).unwrap();
        std::fs::write(dir.join("events.parquet"), b"this is not parquet").unwrap();
        let r = import_dir(&db.store, &dir, &opts(50_000)).await;
        let r = match r {
            Ok(r) => r,
            Err(e) => panic!("[{}] a broken file should be a rejection, not a failed import: {e}", db.label),
        };
        let mut got: Vec<(String, u64, String)> = r.rejections.iter().map(|x| (x.file.clone(), x.line, x.reason.clone())).collect();
        got.sort();
        assert_eq!(got.len(), 2, "[{}] {got:?}", db.label);
        assert_eq!((got[0].0.as_str(), got[0].1), ("events.parquet", 1), "[{}]", db.label);
        assert_eq!((got[1].0.as_str(), got[1].1), ("members.csv", 1), "[{}]", db.label);
        assert_mentions("members.csv", &got[1].2, &["gender", "monthly_dues"]);
        assert_eq!(r.accepted, 0, "[{}]", db.label);
    }
}

/// A field that is not UTF-8 (a GBK export, say) rejects its row, naming the column; the rows
/// around it are kept.
#[tokio::test]
async fn non_utf8_field_rejects_its_row() {
    let root = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    for db in backends().await {
        base(&db, root.path()).await;
        let dir = root.path().join(format!("gbk-{}", db.label));
        std::fs::create_dir_all(&dir).unwrap();
        let mut bytes = format!("{MEM}\nU1,B1,甲,M,1980-01-01,2000-01-01,full,employed,1\nU2,B1,").into_bytes();
        bytes.extend_from_slice(&[0xD5, 0xC5, 0xC8, 0xFD]); // 张三 in GBK
        bytes.extend_from_slice(b",M,1980-01-01,2000-01-01,full,employed,1\nU3,B1,\xe4\xb9\x99,F,1980-01-01,2000-01-01,full,employed,1\n");
        std::fs::write(dir.join("members.csv"), bytes).unwrap();
        match import_dir(&db.store, &dir, &opts(50_000)).await {
            Err(e) => problems.push(format!("[{}] the import failed: {e}", db.label)),
            Ok(r) => {
                let got: Vec<(u64, &str)> = r.rejections.iter().map(|x| (x.line, x.reason.as_str())).collect();
                if got.len() != 1 || got[0].0 != 3 || !got[0].1.contains("name") || !got[0].1.contains("UTF-8") || r.accepted != 2 {
                    problems.push(format!("[{}] expected members.csv:3 rejected (name, UTF-8) and 2 accepted; got {got:?}, accepted {}", db.label, r.accepted));
                }
            }
        }
    }
    assert_no_problems(problems);
}

/// Issue 11 item 5: a report lists the first 1,000 rejections and counts the rest; every one
/// is stored with the batch and read back in full by `write_rejections`.
#[tokio::test]
async fn many_rejections_are_counted_listed_up_to_1000_and_written_in_full() {
    let root = tempfile::tempdir().unwrap();
    for db in backends().await {
        base(&db, root.path()).await;
        let dir = root.path().join(format!("many-{}", db.label));
        std::fs::create_dir_all(&dir).unwrap();
        let mut csv = format!("{EV}\n");
        for i in 0..1_005 {
            csv.push_str(&format!("MANY{i},NO-SUCH-MEMBER,study,2024-05-01T10:00:00,,,,manual\n"));
        }
        csv.push_str("MANY-OK,M01,study,2024-05-01T10:00:00,,,,manual\n");
        std::fs::write(dir.join("events.csv"), csv).unwrap();
        let r = import_dir(&db.store, &dir, &opts(300)).await.unwrap();
        assert_eq!((r.accepted, r.rejected, r.rejections.len()), (1, 1_005, store::import::MAX_LISTED_REJECTIONS), "[{}]", db.label);
        let mut out = Vec::new();
        let n = store::import::write_rejections(&db.store, r.batch_id, &mut out).await.unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!((n, text.lines().count()), (1_005, 1_006), "[{}] all of them, and a header", db.label);
        assert!(text.starts_with("file,line,reason\nevents.csv,2,"), "[{}] {}", db.label, &text[..200]);
        assert!(text.contains("events.csv,1006,"), "[{}] the last one", db.label);
    }
}
