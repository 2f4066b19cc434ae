//! An independent, hand-written §3 dataset (not the seeder's), and writers for it in every
//! form the importer accepts: plain CSV, "awkward" CSV (BOM, CRLF, quoting, other column
//! order, several parts), all-string Parquet and typed Parquet.
//!
//! The fixture writers convert dates, timestamps and decimals with their own code (not the
//! domain crate's), so that a parsing bug cannot cancel itself out.

use polars::prelude::*;
use polars_io::parquet::write::{ParquetCompression, ParquetWriter};
use std::fs;
use std::path::Path;

/// One interchange file's worth of rows: the stem, the §3 columns and the rows (`""` = empty).
#[derive(Debug, Clone)]
pub struct Table {
    pub stem: &'static str,
    pub columns: &'static [&'static str],
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(stem: &'static str, columns: &'static [&'static str], rows: &[&[&str]]) -> Table {
        for r in rows {
            assert_eq!(r.len(), columns.len(), "fixture row of {stem} has the wrong width: {r:?}");
        }
        Table { stem, columns, rows: rows.iter().map(|r| r.iter().map(|s| s.to_string()).collect()).collect() }
    }

    pub fn col(&self, name: &str) -> usize {
        self.columns.iter().position(|c| *c == name).unwrap_or_else(|| panic!("{} has no column {name}", self.stem))
    }
}

pub const ORG_COLS: &[&str] = &["org_id", "parent_id", "name", "kind", "established_on"];
pub const MEMBER_COLS: &[&str] = &["member_id", "org_id", "name", "gender", "birth_date", "joined_on", "status", "category", "monthly_dues"];
pub const ACTIVITY_COLS: &[&str] = &["activity_id", "org_id", "kind", "held_at", "title"];
pub const EVENT_COLS: &[&str] = &["event_id", "member_id", "kind", "occurred_at", "activity_id", "quantity", "period", "source"];
pub const RESOURCE_COLS: &[&str] = &["resource_id", "kind", "title", "tags"];
pub const TRANSFER_COLS: &[&str] = &["transfer_id", "member_id", "from_org_id", "to_org_id", "requested_on", "completed_on"];
pub const RATING_COLS: &[&str] = &["org_id", "year", "stars"];
pub const PROJECT_COLS: &[&str] = &["project_id", "org_id", "title", "started_on", "due_on", "completed_on", "progress"];
pub const CANDIDATE_COLS: &[&str] = &["candidate_id", "org_id", "name", "step", "step_on"];

/// The complete small dataset: every org kind (district → street/town/township →
/// community/village/unit → committee → general branch → branch, with skipped levels, a unit
/// and a committee directly under the district, members held directly by a general branch
/// and by a committee), every activity kind, every event kind and source, all optional files.
pub struct Dataset {
    pub tables: Vec<Table>,
}

/// Expected figures of [`Dataset::full`].
pub mod expect {
    pub const ORGS: i64 = 16;
    pub const GRASSROOTS: i64 = 9;
    pub const DISTRICT_CHILDREN: i64 = 5;
    pub const MEMBERS: i64 = 13;
    pub const ACTIVITIES: i64 = 11;
    pub const EVENTS: i64 = 38;
    pub const RESOURCES: i64 = 4;
    pub const TRANSFERS: i64 = 2;
    pub const RATINGS: i64 = 4;
    pub const PROJECTS: i64 = 3;
    pub const CANDIDATES: i64 = 5;
    pub const TOTAL: u64 = (ORGS + MEMBERS + ACTIVITIES + EVENTS + RESOURCES + TRANSFERS + RATINGS + PROJECTS + CANDIDATES) as u64;
}

impl Dataset {
    pub fn full() -> Dataset {
        let orgs = Table::new(
            "orgs",
            ORG_COLS,
            &[
                &["D1", "", "滨海新区", "district", "1990-01-01"],
                &["S1", "D1", "东湖街道", "street", "1995-03-15"],
                &["T1", "D1", "西山镇", "town", "1996-06-01"],
                &["P1", "D1", "南岭乡", "township", "1997-01-01"],
                &["C1", "S1", "湖畔社区", "community", "2001-05-20"],
                &["V1", "T1", "桃花村", "village", "2002-02-28"],
                &["U1", "D1", "区教育局, \"实验\"学校", "unit", "2003-09-01"],
                &["K1", "C1", "湖畔社区党委", "committee", "2004-07-01"],
                &["G1", "K1", "湖畔社区第一党总支", "general_branch", "2005-07-01"],
                &["B1", "G1", "第一党支部", "branch", "2006-07-01"],
                &["B2", "G1", "第二党支部", "branch", "2006-07-01"],
                &["B3", "V1", "桃花村党支部", "branch", "2007-01-01"],
                &["B4", "U1", "教育局机关党支部", "branch", "2008-01-01"],
                &["K2", "D1", "区直机关党委", "committee", "2009-01-01"],
                &["B5", "K2", "区直第一党支部", "branch", "2010-01-01"],
                &["B6", "P1", "南岭乡\n联合党支部", "branch", "2011-01-01"],
            ],
        );
        let members = Table::new(
            "members",
            MEMBER_COLS,
            &[
                &["M01", "B1", "张伟", "M", "1970-01-15", "1995-07-01", "full", "employed", "50.00"],
                &["M02", "B1", "王芳", "F", "1985-02-28", "2010-06-30", "full", "retired", "5.50"],
                &["M03", "B1", "李娜, Jr.", "F", "1990-12-31", "2015-01-01", "probationary", "mobile", "0"],
                &["M04", "B2", "刘\"强\"", "M", "1960-06-06", "1985-05-05", "full", "new_economy", "12.345"],
                &["M05", "B2", "陈静", "F", "1975-07-07", "2000-07-01", "full", "rural", "1"],
                &["M06", "B3", "杨洋", "M", "2000-02-29", "2022-07-01", "probationary", "student", "0.2"],
                &["M07", "B3", "赵磊", "M", "1955-03-03", "1980-03-03", "full", "retired", "100"],
                &["M08", "B4", "黄敏", "F", "1982-08-08", "2008-08-08", "full", "employed", "33.333333"],
                &["M09", "B5", "周杰", "M", "1988-09-09", "2012-12-12", "full", "employed", "20"],
                &["M10", "G1", "吴刚", "M", "1965-10-10", "1990-10-10", "full", "employed", "45.5"],
                &["M11", "G1", "徐丽", "F", "1978-11-11", "2003-11-11", "full", "mobile", "8.25"],
                &["M12", "B6", "孙悦", "F", "1992-04-30", "2016-04-30", "full", "rural", "2"],
                &["M13", "K2", "马超", "M", "1980-01-01", "2005-01-01", "full", "employed", "30"],
            ],
        );
        let activities = Table::new(
            "activities",
            ACTIVITY_COLS,
            &[
                &["A01", "B1", "party_congress", "2024-01-10T09:00:00", "第一季度党员大会"],
                &["A02", "B1", "committee_meeting", "2024-01-05T14:30:00", "支委会, 一月"],
                &["A03", "B1", "group_meeting", "2024-01-20T19:30:00.25", "党小组会 \"学习\""],
                &["A04", "B2", "party_lesson", "2024-02-01T09:00:00", "党课：\n新时代\n党的建设"],
                &["A05", "B2", "theme_day", "2024-02-15T08:00:00", "主题党日"],
                &["A06", "G1", "org_life_meeting", "2024-01-25T15:00:00", "组织生活会"],
                &["A07", "B3", "theory_study", "2024-03-01T10:00:00", "理论学习"],
                &["A08", "B4", "democratic_consultation", "2024-03-05T10:00:00", "民主协商议事"],
                &["A09", "B5", "democratic_evaluation", "2024-12-20T10:00:00", "民主评议党员"],
                &["A10", "B6", "volunteer_activity", "2024-04-01T08:30:00", "志愿服务：清洁家园"],
                &["A11", "K2", "condolence_visit", "2024-02-08T16:00:00", "春节慰问"],
            ],
        );
        let events = Table::new(
            "events",
            EVENT_COLS,
            &[
                &["E001", "M01", "attend", "2024-01-10T09:05:00", "A01", "", "", "checkin"],
                &["E002", "M02", "attend", "2024-01-10T09:10:00", "A01", "", "", "checkin"],
                &["E003", "M03", "leave", "2024-01-10T08:00:00", "A01", "", "", "manual"],
                &["E004", "M01", "attend", "2024-01-05T14:30:00", "A02", "", "", "fengling_ejia"],
                &["E005", "M02", "attend", "2024-01-20T19:35:00", "A03", "", "", "fenglinghui"],
                &["E006", "M04", "attend", "2024-02-01T09:01:00", "A04", "", "", "checkin"],
                &["E007", "M05", "leave", "2024-02-01T07:00:00", "A04", "", "", "manual"],
                &["E008", "M04", "attend", "2024-02-15T08:00:00", "A05", "", "", "checkin"],
                &["E009", "M10", "attend", "2024-01-25T15:00:00", "A06", "", "", "checkin"],
                &["E010", "M11", "attend", "2024-01-25T15:02:00", "A06", "", "", "checkin"],
                &["E011", "M06", "attend", "2024-03-01T10:00:00", "A07", "", "", "fengling_ejia"],
                &["E012", "M08", "attend", "2024-03-05T10:00:00", "A08", "", "", "checkin"],
                &["E013", "M09", "attend", "2024-12-20T10:00:00", "A09", "", "", "checkin"],
                &["E014", "M12", "attend", "2024-04-01T08:30:00", "A10", "", "", "yongzhiyuan"],
                &["E015", "M13", "attend", "2024-02-08T16:00:00", "A11", "", "", "manual"],
                &["E016", "M01", "dues", "2024-01-31T10:00:00", "", "50.00", "2024-01", "fengling_ejia"],
                &["E017", "M02", "dues", "2024-01-15T10:00:00", "", "2.75", "2024-01", "fengling_ejia"],
                &["E018", "M02", "dues", "2024-01-31T23:59:59", "", "2.75", "2024-01", "fengling_ejia"],
                &["E019", "M02", "dues", "2024-02-10T10:00:00", "", "5.5", "2024-02", "manual"],
                &["E020", "M04", "dues", "2024-03-01T09:00:00", "", "12.345", "2024-02", "fenglinghui"],
                &["E021", "M08", "dues", "2024-01-20T12:00:00", "", "33.333333", "2024-01", "fengling_ejia"],
                &["E022", "M10", "dues", "2024-01-05T08:00:00", "", "20", "2024-01", "manual"],
                &["E023", "M01", "model_post", "2024-05-04T09:00:00", "", "", "", "fenglinghui"],
                &["E024", "M09", "model_post", "2024-07-01T09:00:00", "", "", "", "manual"],
                &["E025", "M06", "volunteer", "2024-04-01T08:30:00", "", "1.5", "", "yongzhiyuan"],
                &["E026", "M12", "volunteer", "2024-04-01T08:30:00", "A10", "2.25", "", "yongzhiyuan"],
                &["E027", "M07", "volunteer", "2024-06-01T09:00:00", "", "0.5", "", "yongzhiyuan"],
                &["E028", "M03", "study", "2024-03-03T20:00:00", "", "", "", "fengling_ejia"],
                &["E029", "M05", "study", "2024-03-04T20:00:00.5", "", "", "", "fengling_ejia"],
                &["E030", "M11", "study", "2024-03-05T20:00:00", "", "", "", "fenglinghui"],
                &["E031", "M01", "evaluation", "2024-12-25T10:00:00", "", "1", "2024-12", "manual"],
                &["E032", "M02", "evaluation", "2024-12-25T10:00:00", "", "2", "2024-12", "manual"],
                &["E033", "M04", "evaluation", "2024-12-25T10:00:00", "", "3", "2024-12", "manual"],
                &["E034", "M05", "evaluation", "2024-12-25T10:00:00", "", "4", "2024-12", "manual"],
                &["E035", "M09", "evaluation", "2023-12-28T10:00:00", "", "2.0", "2023-12", "manual"],
                &["E036", "M13", "study", "2024-02-09T21:00:00", "", "", "", "checkin"],
                &["E037", "M07", "attend", "2024-03-01T10:05:00", "A07", "", "", "checkin"],
                &["E038", "M03", "dues", "2024-01-10T10:00:00", "", "0.01", "2024-01", "manual"],
            ],
        );
        let resources = Table::new(
            "resources",
            RESOURCE_COLS,
            &[
                &["R1", "lecturer", "王教授, 党校", "党史;理论"],
                &["R2", "lesson", "\"两学一做\"专题课", "学习;作风"],
                &["R3", "video", "微党课\n第一集", "党课;视频"],
                &["R4", "base", "红色教育基地", ""],
            ],
        );
        let transfers =
            Table::new("transfers", TRANSFER_COLS, &[&["TR1", "M03", "B1", "B2", "2024-03-01", "2024-03-15"], &["TR2", "M06", "B3", "B4", "2024-05-01", ""]]);
        let ratings = Table::new("ratings", RATING_COLS, &[&["B1", "2023", "5"], &["B2", "2023", "3"], &["B3", "2024", "1"], &["K2", "2024", "4"]]);
        let projects = Table::new(
            "projects",
            PROJECT_COLS,
            &[
                &["PJ1", "B1", "书记攻坚：老旧小区改造", "2024-01-01", "2024-06-30", "2024-06-20", "100"],
                &["PJ2", "B3", "乡村振兴, 桃花产业", "2024-03-01", "2024-12-31", "", "45"],
                &["PJ3", "K2", "机关作风建设", "2024-02-01", "2024-09-30", "", "0"],
            ],
        );
        let candidates = Table::new(
            "candidates",
            CANDIDATE_COLS,
            &[
                &["CD1", "B1", "林晓", "application", "2023-01-10"],
                &["CD1", "B1", "林晓", "activist", "2023-07-10"],
                &["CD1", "B1", "林晓", "candidate", "2024-01-10"],
                &["CD2", "B4", "何平", "application", "2024-02-02"],
                &["CD3", "B5", "郭静", "probationary", "2024-07-01"],
            ],
        );
        Dataset { tables: vec![orgs, members, activities, events, resources, transfers, ratings, projects, candidates] }
    }

    pub fn table(&self, stem: &str) -> &Table {
        self.tables.iter().find(|t| t.stem == stem).unwrap_or_else(|| panic!("no table {stem}"))
    }

    pub fn total_rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows.len() as u64).sum()
    }

    /// (a) One plain CSV file per entity: LF, a header in contract order, minimal quoting.
    pub fn write_csv_plain(&self, dir: &Path) {
        fs::create_dir_all(dir).unwrap();
        for t in &self.tables {
            write_csv(&dir.join(format!("{}.csv", t.stem)), t.columns, &t.rows, &CsvStyle::plain());
        }
    }

    /// (b) The awkward CSV: UTF-8 BOM, CRLF, every text field quoted, columns in another order
    /// (and an extra column, header names in other case), events in two parts, orgs in two
    /// parts with the children in the earlier file than their parents.
    pub fn write_csv_awkward(&self, dir: &Path) {
        fs::create_dir_all(dir).unwrap();
        let style = CsvStyle { bom: true, crlf: true, quote_all: true };
        for t in &self.tables {
            // Reverse the column order, and add an extra column the importer must ignore.
            let mut order: Vec<usize> = (0..t.columns.len()).rev().collect();
            let mut header: Vec<String> = order.iter().map(|&i| t.columns[i].to_string()).collect();
            if t.stem == "resources" {
                header = header.iter().map(|h| h.to_uppercase()).collect();
            }
            header.insert(1, "remark".into());
            order.insert(1, usize::MAX);
            let project = |rows: &[Vec<String>]| -> Vec<Vec<String>> {
                rows.iter().map(|r| order.iter().map(|&i| if i == usize::MAX { "备注, \"extra\"".to_string() } else { r[i].clone() }).collect()).collect()
            };
            let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
            match t.stem {
                "events" => {
                    let half = t.rows.len() / 2;
                    write_csv(&dir.join("events-1.csv"), &header_refs, &project(&t.rows[..half]), &style);
                    write_csv(&dir.join("events-2.csv"), &header_refs, &project(&t.rows[half..]), &style);
                }
                "orgs" => {
                    // Grassroots organisations (the children) in orgs-1.csv, in reverse order so a
                    // branch comes before its general branch; everything above them in orgs-2.csv.
                    let kind = t.col("kind");
                    let low: Vec<Vec<String>> =
                        t.rows.iter().filter(|r| matches!(r[kind].as_str(), "committee" | "general_branch" | "branch")).rev().cloned().collect();
                    let high: Vec<Vec<String>> =
                        t.rows.iter().filter(|r| !matches!(r[kind].as_str(), "committee" | "general_branch" | "branch")).rev().cloned().collect();
                    write_csv(&dir.join("orgs-1.csv"), &header_refs, &project(&low), &style);
                    write_csv(&dir.join("orgs-2.csv"), &header_refs, &project(&high), &style);
                }
                _ => write_csv(&dir.join(format!("{}.csv", t.stem)), &header_refs, &project(&t.rows), &style),
            }
        }
        // Something that is not an interchange file is skipped, not imported.
        fs::write(dir.join("README.txt"), "not data\n").unwrap();
    }

    /// (c) Parquet, every column a string (nulls for empty values).
    pub fn write_parquet_strings(&self, dir: &Path) {
        fs::create_dir_all(dir).unwrap();
        for t in &self.tables {
            let cols: Vec<Column> = t
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let vals: Vec<Option<&str>> = t.rows.iter().map(|r| Some(r[i].as_str()).filter(|s| !s.is_empty())).collect();
                    Column::from(Series::new((*c).into(), vals))
                })
                .collect();
            write_parquet(&dir.join(format!("{}.parquet", t.stem)), cols);
        }
    }

    /// (d) Typed Parquet: date32 dates, timestamp[µs] without zone, decimals, integers. Events
    /// come in two parts.
    pub fn write_parquet_typed(&self, dir: &Path) {
        fs::create_dir_all(dir).unwrap();
        for t in &self.tables {
            let parts: Vec<(String, &[Vec<String>])> = if t.stem == "events" {
                let half = t.rows.len() / 2;
                vec![("events.part1.parquet".into(), &t.rows[..half]), ("events.part2.parquet".into(), &t.rows[half..])]
            } else {
                vec![(format!("{}.parquet", t.stem), &t.rows[..])]
            };
            for (name, rows) in parts {
                let cols: Vec<Column> = t.columns.iter().enumerate().map(|(i, c)| typed_column(t.stem, c, rows.iter().map(|r| r[i].as_str()))).collect();
                write_parquet(&dir.join(name), cols);
            }
        }
    }
}

/// How a typed Parquet fixture stores a column.
fn typed_kind(stem: &str, col: &str) -> &'static str {
    match (stem, col) {
        (_, "established_on" | "birth_date" | "joined_on" | "requested_on" | "completed_on" | "started_on" | "due_on" | "step_on") => "date",
        (_, "held_at" | "occurred_at") => "timestamp",
        (_, "monthly_dues" | "quantity") => "decimal",
        ("ratings", "year") => "i32",
        ("ratings", "stars") => "i8",
        ("projects", "progress") => "i64",
        _ => "string",
    }
}

pub fn typed_column<'a>(stem: &str, col: &str, vals: impl Iterator<Item = &'a str>) -> Column {
    let vals: Vec<Option<&str>> = vals.map(|s| Some(s).filter(|s| !s.is_empty())).collect();
    let name: PlSmallStr = col.into();
    let s = match typed_kind(stem, col) {
        "date" => Series::new(name, vals.iter().map(|v| v.map(days)).collect::<Vec<_>>()).cast(&DataType::Date).unwrap(),
        "timestamp" => {
            Series::new(name, vals.iter().map(|v| v.map(micros)).collect::<Vec<_>>()).cast(&DataType::Datetime(TimeUnit::Microseconds, None)).unwrap()
        }
        "decimal" => {
            let ca = Int128Chunked::from_iter_options(name, vals.iter().map(|v| v.map(|s| unscaled(s, 6))));
            ca.into_decimal(18, 6).unwrap().into_series()
        }
        "i32" => Series::new(name, vals.iter().map(|v| v.map(|s| s.parse::<i32>().unwrap())).collect::<Vec<_>>()),
        "i8" => Series::new(name, vals.iter().map(|v| v.map(|s| s.parse::<i8>().unwrap())).collect::<Vec<_>>()),
        "i64" => Series::new(name, vals.iter().map(|v| v.map(|s| s.parse::<i64>().unwrap())).collect::<Vec<_>>()),
        _ => Series::new(name, vals),
    };
    Column::from(s)
}

pub fn write_parquet(path: &Path, cols: Vec<Column>) {
    let mut df = DataFrame::new_infer_height(cols).expect("fixture frame");
    let f = fs::File::create(path).unwrap();
    ParquetWriter::new(f).with_compression(ParquetCompression::Uncompressed).finish(&mut df).expect("write parquet fixture");
}

/// Days since 1970-01-01 of `YYYY-MM-DD` (fixture-side conversion, independent of `domain`).
pub fn days(s: &str) -> i32 {
    let (y, m, d): (i64, i64, i64) = (s[0..4].parse().unwrap(), s[5..7].parse().unwrap(), s[8..10].parse().unwrap());
    // Count days from 0000-03-01 then shift (the March-based year puts leap days last).
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let n = 365 * y + y.div_euclid(4) - y.div_euclid(100) + y.div_euclid(400) + (153 * m + 2) / 5 + d - 1;
    (n - 719_468) as i32
}

/// Microseconds since 1970-01-01T00:00:00 of `YYYY-MM-DDTHH:MM:SS[.f]`.
pub fn micros(s: &str) -> i64 {
    let d = i64::from(days(&s[..10]));
    let (h, mi, se): (i64, i64, i64) = (s[11..13].parse().unwrap(), s[14..16].parse().unwrap(), s[17..19].parse().unwrap());
    let mut frac = 0i64;
    if let Some(f) = s.get(20..) {
        let padded = format!("{f:0<6}");
        frac = padded[..6].parse().unwrap();
    }
    ((d * 86_400 + h * 3600 + mi * 60 + se) * 1_000_000) + frac
}

/// A decimal string as an unscaled integer at `scale` places.
pub fn unscaled(s: &str, scale: usize) -> i128 {
    let (neg, body) = s.strip_prefix('-').map_or((false, s), |b| (true, b));
    let (i, f) = body.split_once('.').unwrap_or((body, ""));
    assert!(f.len() <= scale, "{s} has more than {scale} places");
    let v: i128 = format!("{i}{f:0<scale$}").parse().unwrap();
    if neg { -v } else { v }
}

#[derive(Debug, Clone)]
pub struct CsvStyle {
    pub bom: bool,
    pub crlf: bool,
    /// Quote every field (otherwise only those that need it).
    pub quote_all: bool,
}

impl CsvStyle {
    pub fn plain() -> CsvStyle {
        CsvStyle { bom: false, crlf: false, quote_all: false }
    }
}

pub fn csv_field(s: &str, quote_all: bool) -> String {
    if quote_all || s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

pub fn csv_text(header: &[&str], rows: &[Vec<String>], style: &CsvStyle) -> String {
    let eol = if style.crlf { "\r\n" } else { "\n" };
    let mut out = String::new();
    if style.bom {
        out.push('\u{feff}');
    }
    out.push_str(&header.join(","));
    out.push_str(eol);
    for r in rows {
        let fields: Vec<String> = r.iter().map(|f| csv_field(f, style.quote_all)).collect();
        out.push_str(&fields.join(","));
        out.push_str(eol);
    }
    out
}

pub fn write_csv(path: &Path, header: &[&str], rows: &[Vec<String>], style: &CsvStyle) {
    fs::write(path, csv_text(header, rows, style)).unwrap();
}
