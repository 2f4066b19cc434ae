//! Reading cells out of the engine's frames, for the code that turns figures into wire types.
//!
//! A frame that lacks a column is a bug (a renamed or forgotten column), so reading one is an
//! error that names it, never a silent zero on the wall. A missing *row* is a fact: an
//! organisation without members has no row in a per-member frame, so a row past the end reads
//! as 0 / none / empty.

use polars::prelude::*;

fn column_as(df: &DataFrame, c: &str, dtype: &DataType) -> PolarsResult<Series> {
    df.column(c)?.as_materialized_series().cast(dtype)
}

/// The integer at `row` of column `c` (0 past the last row, or where null).
pub fn i64_at(df: &DataFrame, c: &str, row: usize) -> PolarsResult<i64> {
    let s = column_as(df, c, &DataType::Int64)?;
    Ok(if row < s.len() { s.i64()?.get(row).unwrap_or(0) } else { 0 })
}

/// The finite number at `row` of column `c` (`None` past the last row, where null or not finite).
pub fn f64_at(df: &DataFrame, c: &str, row: usize) -> PolarsResult<Option<f64>> {
    let s = column_as(df, c, &DataType::Float64)?;
    Ok(if row < s.len() { s.f64()?.get(row).filter(|v| v.is_finite()) } else { None })
}

/// The text at `row` of column `c` (empty past the last row, or where null).
pub fn str_at(df: &DataFrame, c: &str, row: usize) -> PolarsResult<String> {
    let s = df.column(c)?.str()?;
    Ok(if row < s.len() { s.get(row).unwrap_or_default().to_string() } else { String::new() })
}

/// A whole integer column (nulls as 0).
pub fn i64s(df: &DataFrame, c: &str) -> PolarsResult<Vec<i64>> {
    Ok(column_as(df, c, &DataType::Int64)?.i64()?.iter().map(|v| v.unwrap_or(0)).collect())
}

/// A whole number column (nulls and non-finite values as `None`).
pub fn f64s(df: &DataFrame, c: &str) -> PolarsResult<Vec<Option<f64>>> {
    Ok(column_as(df, c, &DataType::Float64)?.f64()?.iter().map(|v| v.filter(|x| x.is_finite())).collect())
}

/// A whole text column (nulls as empty).
pub fn strs(df: &DataFrame, c: &str) -> PolarsResult<Vec<String>> {
    Ok(df.column(c)?.str()?.iter().map(|v| v.unwrap_or_default().to_string()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_column_is_an_error_and_a_missing_row_a_default() {
        let df = df!("a" => [1i64, 2], "s" => ["x", "y"]).unwrap();
        assert_eq!(i64_at(&df, "a", 1).unwrap(), 2);
        assert_eq!(i64_at(&df, "a", 5).unwrap(), 0);
        assert_eq!(str_at(&df, "s", 5).unwrap(), "");
        assert_eq!(f64_at(&df, "a", 0).unwrap(), Some(1.0));
        assert!(i64_at(&df, "b", 0).is_err());
        assert!(f64_at(&df, "b", 0).is_err());
        assert!(str_at(&df, "b", 0).is_err());
        let empty = df.clear();
        assert_eq!(i64_at(&empty, "a", 0).unwrap(), 0);
        assert!(i64_at(&empty, "b", 0).is_err());
    }
}
