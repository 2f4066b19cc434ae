//! The organisation tree (§2): one district, its streets / towns / townships, the
//! communities, villages and units beneath them, and the grassroots organisations
//! (committee → general_branch → branch, either of the first two possibly missing).

use super::cal::{self, Window, cn_num};
use super::names::{self, Namer};
use super::rng::{Rng, stream};

/// Grassroots organisations in the reference district, and its member count.
pub(crate) const REF_GRASSROOTS: u64 = 2_654;
pub(crate) const REF_MEMBERS: u64 = 47_411;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    District,
    Street,
    Town,
    Township,
    Community,
    Village,
    Unit,
    Committee,
    GeneralBranch,
    Branch,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::District => "district",
            Kind::Street => "street",
            Kind::Town => "town",
            Kind::Township => "township",
            Kind::Community => "community",
            Kind::Village => "village",
            Kind::Unit => "unit",
            Kind::Committee => "committee",
            Kind::GeneralBranch => "general_branch",
            Kind::Branch => "branch",
        }
    }

    pub(crate) fn is_grassroots(self) -> bool {
        matches!(self, Kind::Committee | Kind::GeneralBranch | Kind::Branch)
    }
}

/// What kind of place a grassroots organisation serves (drives member mix, meeting times).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ctype {
    Community,
    Village,
    Enterprise,
    School,
    Gov,
    Social,
    Organ,
}

/// How well an organisation runs its organisation life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Profile {
    Strong,
    Normal,
    Weak,
}

/// A branch set up for one group of members (退休党员党支部, 学生党支部 …).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Focus {
    None,
    Retired,
    Mobile,
    Student,
    NewEconomy,
}

#[derive(Clone, Debug)]
pub(crate) struct Org {
    pub parent: Option<u32>,
    pub name: String,
    pub kind: Kind,
    pub established: i32,
    pub ctype: Ctype,
    pub profile: Profile,
    pub focus: Focus,
    /// Relative share of the district's members held directly (0 = none).
    pub host_weight: f64,
    /// Members held directly (filled in by the allocation step).
    pub members: u32,
    /// Index of the first of those members.
    pub first_member: u32,
}

impl Org {
    /// Party groups (党小组): branches of seven or more members form groups of about ten.
    pub(crate) fn groups(&self) -> u32 {
        if self.members >= 7 { self.members.div_ceil(10) } else { 0 }
    }

    /// Members sitting on the organisation's committee (the first few of its members).
    pub(crate) fn committee_size(&self) -> u32 {
        if self.members >= 7 { (self.members / 8).clamp(3, 7) } else { self.members.min(1) }
    }

    /// Whether it holds committee meetings (支委会 needs seven members; 党委/党总支 always).
    pub(crate) fn has_committee(&self) -> bool {
        self.kind != Kind::Branch || self.members >= 7
    }
}

pub(crate) fn org_id(i: u32) -> String {
    format!("ORG{:05}", i + 1)
}

pub(crate) struct Tree {
    pub orgs: Vec<Org>,
    pub grassroots: u32,
}

impl Tree {
    pub(crate) fn hosts(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.orgs.len() as u32).filter(|&i| self.orgs[i as usize].members > 0)
    }
}

/// Grassroots organisations for `members` members: the reference district's ratio,
/// rounded, and never fewer than one.
pub(crate) fn grassroots_target(members: u32) -> u32 {
    let t = (2 * REF_GRASSROOTS * members as u64 + REF_MEMBERS) / (2 * REF_MEMBERS);
    t.max(1) as u32
}

struct Builder<'a> {
    orgs: Vec<Org>,
    rng: Rng,
    namer: Namer,
    win: &'a Window,
    grassroots: u32,
}

const ORDINAL_BRANCH: &str = "党支部";

impl Builder<'_> {
    #[allow(clippy::too_many_arguments)]
    fn add(&mut self, parent: Option<u32>, name: String, kind: Kind, ctype: Ctype, profile: Profile, focus: Focus, host_weight: f64) -> u32 {
        let limit = self.win.start_day - 30;
        let established = match parent {
            None => cal::days_from_civil(1984, 1, 1),
            Some(p) => {
                let pe = self.orgs[p as usize].established;
                let new_org = kind.is_grassroots() && matches!(ctype, Ctype::Enterprise | Ctype::Social) && self.rng.chance(0.03);
                if new_org {
                    // Set up during the data window (new "two new" organisations).
                    (self.rng.range((self.win.start_day + 1) as i64, (self.win.end_day - 45).max(self.win.start_day + 1) as i64) as i32).max(pe)
                } else if pe >= limit {
                    pe
                } else {
                    // Mostly long established, skewed towards the parent's own founding.
                    let span = (limit - pe) as i64;
                    let a = self.rng.range(0, span);
                    let b = self.rng.range(0, span);
                    pe + a.min(b) as i32
                }
            }
        };
        if kind.is_grassroots() {
            self.grassroots += 1;
        }
        self.orgs.push(Org { parent, name, kind, established, ctype, profile, focus, host_weight, members: 0, first_member: 0 });
        (self.orgs.len() - 1) as u32
    }

    fn draw_profile(&mut self, ctype: Ctype) -> Profile {
        let (strong, weak) = match ctype {
            Ctype::Village => (45, 14),
            Ctype::Social => (35, 20),
            Ctype::Enterprise => (55, 10),
            Ctype::Gov | Ctype::Organ => (70, 4),
            Ctype::School => (65, 5),
            Ctype::Community => (55, 9),
        };
        match self.rng.weighted(&[strong, 100 - strong - weak, weak]) {
            0 => Profile::Strong,
            1 => Profile::Normal,
            _ => Profile::Weak,
        }
    }

    /// A child usually shares its parent organisation's profile.
    fn child_profile(&mut self, parent: Profile, ctype: Ctype) -> Profile {
        if self.rng.chance(0.7) { parent } else { self.draw_profile(ctype) }
    }

    fn branch_weight(&mut self, ctype: Ctype, focus: Focus) -> f64 {
        let base = match (ctype, focus) {
            (_, Focus::Retired) => 40.0,
            (_, Focus::Student) => 22.0,
            (_, Focus::Mobile) => 14.0,
            (_, Focus::NewEconomy) => 12.0,
            (Ctype::Community, _) => 24.0,
            (Ctype::Village, _) => 30.0,
            (Ctype::Enterprise, _) => 14.0,
            (Ctype::School, _) => 15.0,
            (Ctype::Gov, _) => 14.0,
            (Ctype::Social, _) => 8.0,
            (Ctype::Organ, _) => 12.0,
        };
        // A few large branches (big retiree branches, large village branches).
        let big = if self.rng.chance(0.08) { 2.2 } else { 1.0 };
        base * self.rng.uniform(0.45, 1.55) * big
    }

    /// Special-purpose branch names per workplace; the rest are numbered.
    fn specials(ctype: Ctype) -> &'static [(&'static str, Focus)] {
        match ctype {
            Ctype::Community => &[
                ("退休党员党支部", Focus::Retired),
                ("老干部党支部", Focus::Retired),
                ("物业党支部", Focus::None),
                ("在职党员党支部", Focus::None),
                ("流动党员党支部", Focus::Mobile),
                ("非公企业联合党支部", Focus::NewEconomy),
                ("小区党支部", Focus::None),
            ],
            Ctype::Village => {
                &[("老年党员党支部", Focus::Retired), ("流动党员党支部", Focus::Mobile), ("合作社党支部", Focus::None), ("产业党支部", Focus::None)]
            }
            Ctype::Enterprise => &[
                ("研发中心党支部", Focus::None),
                ("生产部党支部", Focus::None),
                ("销售部党支部", Focus::None),
                ("行政后勤党支部", Focus::None),
                ("财务部党支部", Focus::None),
                ("质量管理部党支部", Focus::None),
                ("离退休党支部", Focus::Retired),
            ],
            Ctype::School => &[("教工党支部", Focus::None), ("学生党支部", Focus::Student), ("离退休教师党支部", Focus::Retired), ("行政党支部", Focus::None)],
            Ctype::Gov => &[("机关党支部", Focus::None), ("离退休干部党支部", Focus::Retired), ("执法大队党支部", Focus::None), ("综合科党支部", Focus::None)],
            Ctype::Social => &[("快递小哥联合党支部", Focus::NewEconomy), ("外卖骑手党支部", Focus::NewEconomy), ("网约车司机党支部", Focus::NewEconomy)],
            Ctype::Organ => &[("综合执法队党支部", Focus::None), ("便民服务中心党支部", Focus::None), ("退休干部党支部", Focus::Retired)],
        }
    }

    fn subunits(ctype: Ctype) -> &'static [&'static str] {
        match ctype {
            Ctype::Enterprise => &["研发中心", "生产中心", "营销中心", "职能部门", "第一分公司", "第二分公司"],
            Ctype::School => &["小学部", "初中部", "高中部", "教工"],
            Ctype::Gov | Ctype::Organ => &["机关", "直属单位", "事业单位"],
            Ctype::Village => &["东片", "西片", "南片", "北片"],
            _ => &[],
        }
    }

    /// Exactly `b` grassroots organisations for one workplace under `parent`; `top`
    /// forces the kind of the organisation heading them (when there are two or more).
    fn cluster(&mut self, parent: u32, base: &str, ctype: Ctype, b: u32, top: Option<Kind>) {
        let profile = self.draw_profile(ctype);
        match b {
            0 => {}
            1 => {
                let specials = Self::specials(ctype);
                let (name, focus) = if ctype == Ctype::Social && self.rng.chance(0.4) {
                    let (s, f) = *self.rng.pick(specials);
                    (format!("{base}{s}"), f)
                } else {
                    (format!("{base}{ORDINAL_BRANCH}"), Focus::None)
                };
                let w = self.branch_weight(ctype, focus);
                self.add(Some(parent), name, Kind::Branch, ctype, profile, focus, w);
            }
            _ => {
                let top_kind = if let Some(k) = top {
                    k
                } else if b >= 5 {
                    Kind::Committee
                } else if b == 2 || self.rng.chance(if ctype == Ctype::Village { 0.7 } else { 0.45 }) {
                    Kind::GeneralBranch
                } else {
                    Kind::Committee
                };
                let suffix = if top_kind == Kind::Committee { "党委" } else { "党总支" };
                let direct = match top_kind {
                    Kind::Committee if self.rng.chance(0.12) => self.rng.uniform(2.0, 5.0),
                    Kind::GeneralBranch if b == 2 || self.rng.chance(0.25) => self.rng.uniform(3.0, 8.0),
                    _ => 0.0,
                };
                let top = self.add(Some(parent), format!("{base}{suffix}"), top_kind, ctype, profile, Focus::None, direct);
                let specials = Self::specials(ctype);
                let subunits = Self::subunits(ctype);
                let mut used_special = vec![false; specials.len()];
                let mut used_sub = vec![false; subunits.len()];
                let (mut ordinal, mut gb_ordinal) = (1u32, 1u32);
                let mut rest = b - 1;
                while rest > 0 {
                    if top_kind == Kind::Committee && rest >= 3 && self.rng.chance(0.12) {
                        let k = (self.rng.range(2, 5) as u32).min(rest - 1);
                        let free: Vec<usize> = (0..subunits.len()).filter(|&i| !used_sub[i]).collect();
                        let sub = if !free.is_empty() && self.rng.chance(0.6) {
                            let i = *self.rng.pick(&free);
                            used_sub[i] = true;
                            subunits[i].to_string()
                        } else {
                            let word = match ctype {
                                Ctype::Community => "网格",
                                Ctype::Village => "片区",
                                Ctype::Enterprise => "事业部",
                                Ctype::School => "学部",
                                _ => "工作部",
                            };
                            let s = format!("第{}{word}", cn_num(gb_ordinal));
                            gb_ordinal += 1;
                            s
                        };
                        let gp = self.child_profile(profile, ctype);
                        let direct = if self.rng.chance(0.2) { self.rng.uniform(2.0, 6.0) } else { 0.0 };
                        let gb = self.add(Some(top), format!("{base}{sub}党总支"), Kind::GeneralBranch, ctype, gp, Focus::None, direct);
                        for j in 1..=k {
                            let bp = self.child_profile(gp, ctype);
                            let w = self.branch_weight(ctype, Focus::None);
                            self.add(Some(gb), format!("{base}{sub}第{}党支部", cn_num(j)), Kind::Branch, ctype, bp, Focus::None, w);
                        }
                        rest -= 1 + k;
                    } else {
                        let free: Vec<usize> = (0..specials.len()).filter(|&i| !used_special[i]).collect();
                        let (name, focus) = if !free.is_empty() && self.rng.chance(0.22) {
                            let i = *self.rng.pick(&free);
                            used_special[i] = true;
                            (format!("{base}{}", specials[i].0), specials[i].1)
                        } else {
                            let s = format!("{base}第{}党支部", cn_num(ordinal));
                            ordinal += 1;
                            (s, Focus::None)
                        };
                        let bp = self.child_profile(profile, ctype);
                        let w = self.branch_weight(ctype, focus);
                        self.add(Some(top), name, Kind::Branch, ctype, bp, focus, w);
                        rest -= 1;
                    }
                }
            }
        }
    }

    /// How many grassroots organisations a workplace of this type usually has.
    fn container_budget(&mut self, ctype: Ctype) -> u32 {
        let r = self.rng.below(100) as u32;
        let (lo, hi) = match ctype {
            Ctype::Community => match r {
                0..5 => (1, 1),
                5..10 => (2, 2),
                10..40 => (3, 5),
                40..80 => (6, 9),
                _ => (10, 16),
            },
            Ctype::Village => match r {
                0..45 => (1, 1),
                45..50 => (2, 2),
                50..70 => (3, 3),
                70..95 => (4, 6),
                _ => (7, 10),
            },
            Ctype::Enterprise => match r {
                0..55 => (1, 1),
                55..65 => (2, 2),
                65..85 => (3, 5),
                85..97 => (6, 12),
                _ => (13, 25),
            },
            Ctype::School => match r {
                0..60 => (1, 1),
                60..70 => (2, 2),
                _ => (3, 6),
            },
            Ctype::Gov | Ctype::Organ => match r {
                0..60 => (1, 1),
                _ => (2, 4),
            },
            Ctype::Social => match r {
                0..85 => (1, 1),
                _ => (2, 3),
            },
        };
        self.rng.range(lo, hi) as u32
    }

    /// A community, village or unit with `b` grassroots organisations under `parent`.
    fn container(&mut self, parent: u32, area_short: &str, area_kind: Kind, b: u32) -> u32 {
        let weights: [u32; 6] = match area_kind {
            // community, village, enterprise, school, gov, social
            Kind::Street => [64, 0, 20, 5, 5, 6],
            Kind::Town => [20, 45, 24, 5, 3, 3],
            _ => [5, 75, 10, 5, 3, 2],
        };
        let (kind, ctype, name) = match self.rng.weighted(&weights) {
            0 => (Kind::Community, Ctype::Community, self.namer.community(&mut self.rng)),
            1 => (Kind::Village, Ctype::Village, self.namer.village(&mut self.rng)),
            2 => (Kind::Unit, Ctype::Enterprise, self.namer.enterprise(&mut self.rng)),
            3 => (Kind::Unit, Ctype::School, self.namer.school(&mut self.rng, area_short)),
            4 => (Kind::Unit, Ctype::Gov, self.namer.area_unit(&mut self.rng, area_short)),
            _ => (Kind::Unit, Ctype::Social, self.namer.social(&mut self.rng)),
        };
        let wanted = self.container_budget(ctype);
        let b = wanted.min(b);
        let id = self.add(Some(parent), name.clone(), kind, ctype, Profile::Normal, Focus::None, 0.0);
        self.cluster(id, &name, ctype, b, None);
        b
    }
}

/// Splits `total` into `weights.len()` parts proportional to the weights (largest
/// remainder, ties to the lower index), each at least `min` when the total allows it.
pub(crate) fn apportion(total: u64, weights: &[f64], min: u64) -> Vec<u64> {
    let n = weights.len() as u64;
    if n == 0 {
        return Vec::new();
    }
    let min = if total >= min * n { min } else { total / n };
    let rest = total - min * n;
    let sum: f64 = weights.iter().sum();
    let mut parts: Vec<u64> = Vec::with_capacity(weights.len());
    let mut fracs: Vec<(f64, usize)> = Vec::with_capacity(weights.len());
    let mut given = 0u64;
    for (i, &w) in weights.iter().enumerate() {
        let q = if sum > 0.0 { rest as f64 * w / sum } else { rest as f64 / n as f64 };
        let f = q.floor();
        let fl = (f as u64).min(rest - given.min(rest));
        given += fl;
        parts.push(min + fl);
        fracs.push((q - f, i));
    }
    let mut left = rest.saturating_sub(given);
    fracs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut k = 0;
    while left > 0 {
        parts[fracs[k % fracs.len()].1] += 1;
        left -= 1;
        k += 1;
    }
    parts
}

/// Builds the tree for `members` members: exactly `grassroots_target(members)` grassroots
/// organisations, parents always listed before their children.
pub(crate) fn build(members: u32, seed: u64, win: &Window) -> Tree {
    let target = grassroots_target(members);
    let mut b = Builder { orgs: Vec::new(), rng: Rng::new(seed, stream::TREE, 0), namer: Namer::new(), win, grassroots: 0 };
    let root = b.add(None, names::DISTRICT.to_string(), Kind::District, Ctype::Organ, Profile::Normal, Focus::None, 0.0);

    // Organisations hanging directly under the district: the working committee of the
    // district's organs (区直机关工委) with the bureaus' branches, and a few big units.
    let mut remaining = target;
    if target >= 20 {
        let direct = ((target as u64 * 7 + 50) / 100).max(2) as u32;
        let for_committee = (direct * 55 / 100).max(2);
        let committee = b.add(Some(root), format!("{}直属机关工委", names::DISTRICT), Kind::Committee, Ctype::Gov, Profile::Strong, Focus::None, 0.0);
        let mut left = for_committee - 1;
        let mut bureau = 0usize;
        while left > 0 {
            let stem = if bureau < names::BUREAUS.len() {
                format!("{}{}", names::DISTRICT, names::BUREAUS[bureau])
            } else {
                format!("{}{}{}", names::DISTRICT, names::BUREAUS[bureau % names::BUREAUS.len()], cn_num((bureau / names::BUREAUS.len()) as u32 + 1))
            };
            let stem = b.namer.fixed(&mut b.rng, &stem);
            bureau += 1;
            let n = (b.rng.range(1, 3) as u32).min(left);
            // Under the working committee a bureau has a general branch or a branch.
            b.cluster(committee, &stem, Ctype::Gov, n, Some(Kind::GeneralBranch));
            left -= n;
        }
        let mut left = direct - for_committee;
        let mut unit = 0usize;
        while left > 0 {
            let (stem, t) = names::DISTRICT_UNITS[unit % names::DISTRICT_UNITS.len()];
            let name = b.namer.fixed(&mut b.rng, &format!("{}{stem}", names::DISTRICT));
            unit += 1;
            let ctype = match t {
                0 => Ctype::Gov,
                1 => Ctype::School,
                _ => Ctype::Enterprise,
            };
            let want = b.container_budget(ctype).max(2);
            let n = want.min(left);
            let id = b.add(Some(root), name.clone(), Kind::Unit, ctype, Profile::Normal, Focus::None, 0.0);
            b.cluster(id, &name, ctype, n, None);
            left -= n;
        }
        remaining -= direct;
    }

    // Streets, towns and townships: about ten for the reference district, fewer for
    // small datasets (a fourth-root law keeps even tiny ones spread over a few areas).
    let ratio = target as f64 / REF_GRASSROOTS as f64;
    let areas = ((10.0 * ratio.sqrt().sqrt()).round() as u32).clamp(1, 30).min(remaining);
    let weights: Vec<f64> = (0..areas).map(|_| b.rng.uniform(0.6, 1.4)).collect();
    let budgets = apportion(remaining as u64, &weights, 1);
    let (mut si, mut ti, mut wi) = (0usize, 0usize, 0usize);
    for (i, &budget) in budgets.iter().enumerate() {
        let f = i as f64 / areas as f64;
        let (kind, short, suffix) = if f < 0.6 || areas == 1 {
            si += 1;
            (Kind::Street, names::STREETS[(si - 1) % names::STREETS.len()], "街道")
        } else if f < 0.9 {
            ti += 1;
            (Kind::Town, names::TOWNS[(ti - 1) % names::TOWNS.len()], "镇")
        } else {
            wi += 1;
            (Kind::Township, names::TOWNSHIPS[(wi - 1) % names::TOWNSHIPS.len()], "乡")
        };
        let area_name = b.namer.fixed(&mut b.rng, &format!("{short}{suffix}"));
        let area = b.add(Some(root), area_name.clone(), kind, Ctype::Organ, Profile::Normal, Focus::None, 0.0);
        let mut left = budget as u32;
        // The area's own organs: a committee directly under the street (no community
        // level), and sometimes a branch of retired cadres directly under it.
        if left >= 8 && b.rng.chance(0.6) {
            let n = (b.rng.range(3, 6) as u32).min(left / 3);
            b.cluster(area, &format!("{area_name}机关"), Ctype::Organ, n, Some(Kind::Committee));
            left -= n;
        }
        if left >= 15 && b.rng.chance(0.3) {
            let w = b.branch_weight(Ctype::Organ, Focus::Retired);
            b.add(Some(area), format!("{area_name}退休干部党支部"), Kind::Branch, Ctype::Organ, Profile::Normal, Focus::Retired, w);
            left -= 1;
        }
        while left > 0 {
            left -= b.container(area, short, kind, left);
        }
    }

    // Every grassroots organisation without grassroots children holds members itself.
    let mut has_child = vec![false; b.orgs.len()];
    for o in &b.orgs {
        if let Some(p) = o.parent
            && o.kind.is_grassroots()
        {
            has_child[p as usize] = true;
        }
    }
    let leaves: Vec<usize> = (0..b.orgs.len()).filter(|&i| b.orgs[i].kind.is_grassroots() && !has_child[i] && b.orgs[i].host_weight <= 0.0).collect();
    for i in leaves {
        let (ct, f) = (b.orgs[i].ctype, b.orgs[i].focus);
        b.orgs[i].host_weight = b.branch_weight(ct, f);
    }
    debug_assert_eq!(b.grassroots, target);
    Tree { orgs: b.orgs, grassroots: b.grassroots }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn win() -> Window {
        Window::new(1, (2026, 10)).unwrap()
    }

    #[test]
    fn reference_district_has_2654_grassroots() {
        assert_eq!(grassroots_target(47_411), 2_654);
        let t = build(47_411, 42, &win());
        let g = t.orgs.iter().filter(|o| o.kind.is_grassroots()).count();
        assert_eq!(g, 2_654);
        assert_eq!(t.grassroots, 2_654);
        let areas = t.orgs.iter().filter(|o| matches!(o.kind, Kind::Street | Kind::Town | Kind::Township)).count();
        assert!((8..=12).contains(&areas), "{areas} areas");
        // Different seeds give different shapes but the same count.
        let t2 = build(47_411, 7, &win());
        assert_eq!(t2.orgs.iter().filter(|o| o.kind.is_grassroots()).count(), 2_654);
    }

    #[test]
    fn tree_is_well_formed_at_any_scale() {
        for members in [0, 1, 5, 100, 300, 1_000, 10_000, 100_000] {
            let t = build(members, 3, &win());
            assert_eq!(t.orgs.iter().filter(|o| o.kind.is_grassroots()).count() as u32, grassroots_target(members));
            assert_eq!(t.orgs.iter().filter(|o| o.kind == Kind::District).count(), 1);
            assert!(t.orgs.iter().any(|o| o.kind == Kind::Branch));
            let mut names = std::collections::HashSet::new();
            for (i, o) in t.orgs.iter().enumerate() {
                assert!(names.insert(o.name.clone()), "duplicate name {}", o.name);
                if let Some(p) = o.parent {
                    assert!((p as usize) < i, "parent listed first");
                    let pk = t.orgs[p as usize].kind;
                    let ok = match o.kind {
                        Kind::Street | Kind::Town | Kind::Township => pk == Kind::District,
                        Kind::Community | Kind::Village | Kind::Unit => matches!(pk, Kind::District | Kind::Street | Kind::Town | Kind::Township),
                        Kind::Committee => !pk.is_grassroots(),
                        Kind::GeneralBranch => pk != Kind::GeneralBranch && pk != Kind::Branch,
                        Kind::Branch => pk != Kind::Branch,
                        Kind::District => false,
                    };
                    assert!(ok, "{:?} under {:?}", o.kind, pk);
                    assert!(o.established >= t.orgs[p as usize].established);
                } else {
                    assert_eq!(i, 0);
                }
            }
        }
        let small = build(100, 3, &win());
        assert!(small.orgs.len() <= 15, "{} orgs for 100 members", small.orgs.len());
    }

    #[test]
    fn apportion_is_exact() {
        let p = apportion(100, &[1.0, 2.0, 3.0], 1);
        assert_eq!(p.iter().sum::<u64>(), 100);
        assert_eq!(apportion(2, &[1.0, 1.0, 1.0], 3).iter().sum::<u64>(), 2);
        assert_eq!(apportion(7, &[0.0, 0.0], 0).iter().sum::<u64>(), 7);
    }
}
