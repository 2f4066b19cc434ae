//! The formula language of the indicator catalogue, compiled to polars expressions.
//!
//! A formula is evaluated for one subject (an organisation or a member) at one target
//! month `t`, over the subject's monthly facts ([`crate::facts`]) with months `month` in
//! `t-11 ..= t`. It is an arithmetic expression (`+ - * /`, numbers, parentheses) over
//! these window functions of a fact column `c`:
//!
//! | function | value |
//! |---|---|
//! | `sum(c, N)` | sum of `c` over the last `N` months (1 ≤ N ≤ 12), `t` included |
//! | `ytd(c)` | sum of `c` from January of `t`'s year to `t` |
//! | `last(c)` | `c` at `t` |
//! | `prev(c)` | `c` at `t - 1` |
//! | `months_with(c, N)` | how many of the last `N` months have `c > 0` |
//! | `pct(a, b)` | `100 × a / b`, undefined when `b` is 0 |
//! | `ratio(a, b)` | `a / b`, undefined when `b` is 0 |
//!
//! (`a`, `b` are expressions.) The result is a Float64 per subject and target month;
//! "undefined" is null. Every column a formula names is checked against the facts when
//! the catalogue is compiled, so a bad catalogue fails with the indicator's id.

use crate::schema as c;
use polars::prelude::*;

/// The widest window a formula may read.
pub const WINDOW: i32 = 12;

#[derive(Debug, Clone, PartialEq)]
pub enum Ast {
    Num(f64),
    Neg(Box<Ast>),
    Bin(char, Box<Ast>, Box<Ast>),
    Sum(String, i32),
    Ytd(String),
    Last(String),
    Prev(String),
    MonthsWith(String, i32),
    Pct(Box<Ast>, Box<Ast>),
    Ratio(Box<Ast>, Box<Ast>),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Ident(String),
    Op(char),
}

fn lex(s: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let b: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() || c == '.' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == '.') {
                i += 1;
            }
            let text: String = b[start..i].iter().collect();
            out.push(Tok::Num(text.parse().map_err(|_| format!("bad number {text:?}"))?));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == '_') {
                i += 1;
            }
            out.push(Tok::Ident(b[start..i].iter().collect()));
        } else if "+-*/(),".contains(c) {
            out.push(Tok::Op(c));
            i += 1;
        } else {
            return Err(format!("unexpected character {c:?}"));
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        match self.next() {
            Some(Tok::Op(o)) if o == c => Ok(()),
            other => Err(format!("expected {c:?}, found {other:?}")),
        }
    }

    fn expr(&mut self) -> Result<Ast, String> {
        let mut left = self.term()?;
        while let Some(Tok::Op(op @ ('+' | '-'))) = self.peek().cloned() {
            self.pos += 1;
            left = Ast::Bin(op, Box::new(left), Box::new(self.term()?));
        }
        Ok(left)
    }

    fn term(&mut self) -> Result<Ast, String> {
        let mut left = self.factor()?;
        while let Some(Tok::Op(op @ ('*' | '/'))) = self.peek().cloned() {
            self.pos += 1;
            left = Ast::Bin(op, Box::new(left), Box::new(self.factor()?));
        }
        Ok(left)
    }

    fn column(&mut self) -> Result<String, String> {
        match self.next() {
            Some(Tok::Ident(c)) => Ok(c),
            other => Err(format!("expected a fact column, found {other:?}")),
        }
    }

    fn months(&mut self) -> Result<i32, String> {
        match self.next() {
            Some(Tok::Num(n)) if n.fract() == 0.0 && (1.0..=f64::from(WINDOW)).contains(&n) => Ok(n as i32),
            other => Err(format!("expected a number of months 1–{WINDOW}, found {other:?}")),
        }
    }

    fn factor(&mut self) -> Result<Ast, String> {
        match self.next() {
            Some(Tok::Num(n)) => Ok(Ast::Num(n)),
            Some(Tok::Op('-')) => Ok(Ast::Neg(Box::new(self.factor()?))),
            Some(Tok::Op('(')) => {
                let e = self.expr()?;
                self.expect(')')?;
                Ok(e)
            }
            Some(Tok::Ident(f)) => {
                self.expect('(')?;
                let ast = match f.as_str() {
                    "sum" | "months_with" => {
                        let c = self.column()?;
                        self.expect(',')?;
                        let n = self.months()?;
                        if f == "sum" { Ast::Sum(c, n) } else { Ast::MonthsWith(c, n) }
                    }
                    "ytd" => Ast::Ytd(self.column()?),
                    "last" => Ast::Last(self.column()?),
                    "prev" => Ast::Prev(self.column()?),
                    "pct" | "ratio" => {
                        let a = self.expr()?;
                        self.expect(',')?;
                        let b = self.expr()?;
                        if f == "pct" { Ast::Pct(Box::new(a), Box::new(b)) } else { Ast::Ratio(Box::new(a), Box::new(b)) }
                    }
                    other => return Err(format!("unknown function {other:?}")),
                };
                self.expect(')')?;
                Ok(ast)
            }
            other => Err(format!("unexpected {other:?}")),
        }
    }
}

/// Parses a formula.
pub fn parse(s: &str) -> Result<Ast, String> {
    let mut p = Parser { toks: lex(s)?, pos: 0 };
    let ast = p.expr()?;
    if p.pos != p.toks.len() {
        return Err(format!("unexpected {:?} after the formula", p.toks[p.pos]));
    }
    Ok(ast)
}

impl Ast {
    /// The fact columns the formula reads.
    pub fn columns(&self) -> Vec<&str> {
        match self {
            Ast::Num(_) => vec![],
            Ast::Neg(a) => a.columns(),
            Ast::Bin(_, a, b) | Ast::Pct(a, b) | Ast::Ratio(a, b) => {
                let mut v = a.columns();
                v.extend(b.columns());
                v
            }
            Ast::Sum(c, _) | Ast::Ytd(c) | Ast::Last(c) | Ast::Prev(c) | Ast::MonthsWith(c, _) => vec![c.as_str()],
        }
    }

    /// The aggregation expression, to be used in `group_by([subject, t]).agg(…)` over facts
    /// joined to their target months (`month` and `target_month` columns, Int32 `Period` numbers).
    pub fn compile(&self) -> Expr {
        let f64c = |c: &str| col(c).cast(DataType::Float64);
        let since = |n: i32| col(c::MONTH).gt(col(c::TARGET_MONTH) - lit(n));
        let undefined_if_zero =
            |a: Expr, b: Expr, scale: f64| when(b.clone().eq(lit(0.0))).then(lit(NULL).cast(DataType::Float64)).otherwise(a * lit(scale) / b);
        match self {
            Ast::Num(n) => lit(*n),
            Ast::Neg(a) => lit(0.0) - a.compile(),
            Ast::Bin(op, a, b) => {
                let (a, b) = (a.compile(), b.compile());
                match op {
                    '+' => a + b,
                    '-' => a - b,
                    '*' => a * b,
                    _ => undefined_if_zero(a, b, 1.0),
                }
            }
            Ast::Sum(c, n) => f64c(c).filter(since(*n)).sum(),
            Ast::Ytd(c) => f64c(c).filter(col(c::MONTH).gt_eq(col(c::TARGET_MONTH) - col(c::TARGET_MONTH) % lit(12))).sum(),
            // `first` of the one month: null when the fact is not known for it (lights and
            // ranks exist only at the month they were computed for).
            Ast::Last(c) => f64c(c).filter(col(c::MONTH).eq(col(c::TARGET_MONTH))).first(),
            Ast::Prev(c) => f64c(c).filter(col(c::MONTH).eq(col(c::TARGET_MONTH) - lit(1))).first(),
            Ast::MonthsWith(c, n) => col(c).gt(lit(0)).and(since(*n)).cast(DataType::Float64).sum(),
            Ast::Pct(a, b) => undefined_if_zero(a.compile(), b.compile(), 100.0),
            Ast::Ratio(a, b) => undefined_if_zero(a.compile(), b.compile(), 1.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        assert_eq!(parse("sum(a, 3)").unwrap(), Ast::Sum("a".into(), 3));
        assert_eq!(
            parse("pct(sum(x,12), sum(y, 12)) - 1").unwrap(),
            Ast::Bin('-', Box::new(Ast::Pct(Box::new(Ast::Sum("x".into(), 12)), Box::new(Ast::Sum("y".into(), 12)))), Box::new(Ast::Num(1.0)))
        );
        assert_eq!(parse("ytd(p) / 10000000").unwrap().columns(), vec!["p"]);
        for bad in ["sum(a, 13)", "sum(a)", "foo(a)", "last(a", "1 +", "a", "sum(a, 1.5)", "last(a) $"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn evaluates_windows() {
        // One subject, months 0..=23 with c = m, target t = 23 (December of year 1).
        let facts =
            df!("s" => vec![1i64; 24], c::MONTH => (0..24).collect::<Vec<i32>>(), "c" => (0..24).map(i64::from).collect::<Vec<_>>(), "z" => vec![0i64; 24])
                .unwrap();
        let eval = |f: &str| -> Option<f64> {
            let e = parse(f).unwrap().compile().alias("v");
            let out =
                facts.clone().lazy().with_column(lit(23i32).alias(c::TARGET_MONTH)).group_by([col("s"), col(c::TARGET_MONTH)]).agg([e]).collect().unwrap();
            out.column("v").unwrap().f64().unwrap().get(0)
        };
        assert_eq!(eval("sum(c, 3)"), Some(21.0 + 22.0 + 23.0));
        assert_eq!(eval("ytd(c)"), Some((12..24).sum::<i32>() as f64));
        assert_eq!(eval("last(c)"), Some(23.0));
        assert_eq!(eval("prev(c)"), Some(22.0));
        assert_eq!(eval("months_with(c, 12)"), Some(12.0));
        assert_eq!(eval("pct(last(c), sum(c, 2))"), Some(2300.0 / 45.0));
        assert_eq!(eval("pct(last(c), last(z))"), None);
        assert_eq!(eval("(last(c) - 3) * 2"), Some(40.0));
    }
}
