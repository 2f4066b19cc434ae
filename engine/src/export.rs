//! The export files of §9: CSV, LF line ends, a header, numbers as the shortest exact
//! decimal, lights as `red` / `yellow` / `green`.

use crate::dataset::Dataset;
use crate::rules::{Light, Rules};
use crate::schema as c;
use crate::{EngineError, index, lights};
use domain::{Period, Points};
use polars::prelude::*;
use std::io::Write;

/// Which export, with its year or month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    Index { year: i32 },
    MemberLights { month: Period },
    BranchLights { month: Period },
}

/// An integer column as Int64 (whatever integer type the query left it in).
fn i64s(df: &DataFrame, name: &str) -> PolarsResult<Int64Chunked> {
    Ok(df.column(name)?.cast(&DataType::Int64)?.i64()?.clone())
}

fn strs<'a>(df: &'a DataFrame, name: &str) -> PolarsResult<&'a StringChunked> {
    df.column(name)?.str()
}

/// Reads an integer column that the computation never leaves null.
fn get(c: &Int64Chunked, i: usize) -> Result<i64, EngineError> {
    c.get(i).ok_or_else(|| EngineError::Internal(format!("null in column {} at row {i}", c.name())))
}

fn get_str(c: &StringChunked, i: usize) -> Result<&str, EngineError> {
    c.get(i).ok_or_else(|| EngineError::Internal(format!("null in column {} at row {i}", c.name())))
}

fn light(c: &Int64Chunked, i: usize) -> Result<&'static str, EngineError> {
    Ok(Light::from_code(get(c, i)?).as_str())
}

/// Computes `what` and writes it to `out`; returns the number of data rows.
pub fn write_export(ds: &Dataset, rules: &Rules, what: Export, out: &mut dyn Write) -> Result<usize, EngineError> {
    match what {
        Export::Index { year } => {
            let df = index::index_frame(ds, rules, year)?;
            writeln!(out, "district_rank,member_id,org_id,org_rank,index,party_life,duty,contribution,morality")?;
            let (dr, mid, oid, or) = (&i64s(&df, c::DISTRICT_RANK)?, strs(&df, c::MEMBER_ID)?, strs(&df, c::ORG_ID)?, &i64s(&df, c::ORG_RANK)?);
            let pts = [c::INDEX, c::PARTY_LIFE, c::DUTY, c::CONTRIBUTION, c::MORALITY].map(|n| i64s(&df, n));
            let pts: Vec<Int64Chunked> = pts.into_iter().collect::<PolarsResult<_>>()?;
            for i in 0..df.height() {
                write!(out, "{},{},{},{}", get(dr, i)?, get_str(mid, i)?, get_str(oid, i)?, get(or, i)?)?;
                for p in &pts {
                    write!(out, ",{}", Points(get(p, i)?))?;
                }
                out.write_all(b"\n")?;
            }
            Ok(df.height())
        }
        Export::MemberLights { month } => {
            let df = lights::member_lights_frame(ds, rules, month)?;
            writeln!(out, "member_id,org_id,dues_arrears,absence,dues_light,absence_light,light")?;
            let (mid, oid, da, ab) = (strs(&df, c::MEMBER_ID)?, strs(&df, c::ORG_ID)?, &i64s(&df, c::DUES_ARREARS)?, &i64s(&df, c::ABSENCE)?);
            let (dl, al, l) = (&i64s(&df, c::DUES_LIGHT)?, &i64s(&df, c::ABSENCE_LIGHT)?, &i64s(&df, c::LIGHT)?);
            for i in 0..df.height() {
                writeln!(
                    out,
                    "{},{},{},{},{},{},{}",
                    get_str(mid, i)?,
                    get_str(oid, i)?,
                    get(da, i)?,
                    get(ab, i)?,
                    light(dl, i)?,
                    light(al, i)?,
                    light(l, i)?
                )?;
            }
            Ok(df.height())
        }
        Export::BranchLights { month } => {
            let df = lights::branch_lights_frame(ds, rules, month)?;
            writeln!(out, "org_id,members,red_members,yellow_members,green_members,org_life_gap,gap_light,share_light,light")?;
            let oid = strs(&df, c::ORG_ID)?;
            let nums = [c::MEMBERS, c::RED_MEMBERS, c::YELLOW_MEMBERS, c::GREEN_MEMBERS, c::ORG_LIFE_GAP].map(|n| i64s(&df, n));
            let nums: Vec<Int64Chunked> = nums.into_iter().collect::<PolarsResult<_>>()?;
            let (gl, sl, l) = (&i64s(&df, c::GAP_LIGHT)?, &i64s(&df, c::SHARE_LIGHT)?, &i64s(&df, c::LIGHT)?);
            for i in 0..df.height() {
                write!(out, "{}", get_str(oid, i)?)?;
                for c in &nums {
                    write!(out, ",{}", get(c, i)?)?;
                }
                writeln!(out, ",{},{},{}", light(gl, i)?, light(sl, i)?, light(l, i)?)?;
            }
            Ok(df.height())
        }
    }
}
