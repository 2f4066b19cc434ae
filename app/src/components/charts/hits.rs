//! Where the clickable parts of a drawn chart are, in canvas pixels, and what each one
//! opens. A chart replaces its map on every redraw (never appends to it).

use std::f64::consts::TAU;

#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    /// An axis-aligned box (a bar with its row, a month column).
    Rect { x0: f64, y0: f64, x1: f64, y1: f64 },
    /// A ring sector of a pie or donut; angles in radians, clockwise from 3 o'clock as
    /// plotters draws them (`start` ≤ `end`).
    Sector { cx: f64, cy: f64, inner: f64, outer: f64, start: f64, end: f64 },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub shape: Shape,
    pub key: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hits(Vec<Hit>);

impl Hits {
    pub fn push(&mut self, shape: Shape, key: impl Into<String>) {
        self.0.push(Hit { shape, key: key.into() });
    }

    /// The key of the first part under `(x, y)`.
    pub fn find(&self, x: f64, y: f64) -> Option<&str> {
        self.0.iter().find(|h| h.shape.contains(x, y)).map(|h| h.key.as_str())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Shape {
    pub fn contains(&self, x: f64, y: f64) -> bool {
        match *self {
            Shape::Rect { x0, y0, x1, y1 } => x >= x0.min(x1) && x <= x0.max(x1) && y >= y0.min(y1) && y <= y0.max(y1),
            Shape::Sector { cx, cy, inner, outer, start, end } => {
                let (dx, dy) = (x - cx, y - cy);
                let r = dx.hypot(dy);
                if r < inner || r > outer {
                    return false;
                }
                // bring the angle into [start, start + 2π)
                let a = dy.atan2(dx);
                let a = start + (a - start).rem_euclid(TAU);
                a <= end
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    #[test]
    fn rectangles() {
        let mut hits = Hits::default();
        hits.push(Shape::Rect { x0: 0.0, y0: 0.0, x1: 10.0, y1: 10.0 }, "a");
        hits.push(Shape::Rect { x0: 0.0, y0: 10.0, x1: 10.0, y1: 20.0 }, "b");
        assert_eq!(hits.find(5.0, 5.0), Some("a"));
        assert_eq!(hits.find(5.0, 15.0), Some("b"));
        assert_eq!(hits.find(15.0, 5.0), None);
        assert_eq!(hits.len(), 2);
    }

    #[test]
    fn sectors_from_twelve_o_clock() {
        // a quarter clockwise from 12 o'clock (-90°) to 3 o'clock (0°), y pointing down
        let s = Shape::Sector { cx: 0.0, cy: 0.0, inner: 5.0, outer: 10.0, start: -PI / 2.0, end: 0.0 };
        assert!(s.contains(5.0, -5.0));
        assert!(!s.contains(5.0, 5.0));
        assert!(!s.contains(1.0, -1.0), "inside the hole");
        assert!(!s.contains(20.0, -20.0), "outside the ring");
        // a sector that passes 3 o'clock (angles above π)
        let s = Shape::Sector { cx: 0.0, cy: 0.0, inner: 0.0, outer: 10.0, start: 1.5 * PI, end: 2.5 * PI };
        assert!(s.contains(5.0, 1.0));
        assert!(s.contains(5.0, -1.0));
        assert!(!s.contains(-5.0, 1.0));
    }
}
