//! Chinese name pools: people, administrative areas, communities, villages, units.

use std::collections::HashSet;

use super::rng::Rng;

pub(crate) const DISTRICT: &str = "滨江区";

/// Common surnames with rough relative frequencies (per 10,000).
const SURNAMES: &[(&str, u32)] = &[
    ("王", 720),
    ("李", 710),
    ("张", 680),
    ("刘", 540),
    ("陈", 460),
    ("杨", 320),
    ("黄", 230),
    ("赵", 220),
    ("吴", 200),
    ("周", 190),
    ("徐", 170),
    ("孙", 150),
    ("马", 140),
    ("朱", 130),
    ("胡", 130),
    ("郭", 120),
    ("何", 115),
    ("林", 110),
    ("高", 110),
    ("罗", 100),
    ("郑", 95),
    ("梁", 90),
    ("谢", 80),
    ("宋", 75),
    ("唐", 75),
    ("许", 70),
    ("韩", 70),
    ("冯", 65),
    ("邓", 65),
    ("曹", 60),
    ("彭", 60),
    ("曾", 55),
    ("肖", 55),
    ("田", 50),
    ("董", 50),
    ("袁", 48),
    ("潘", 47),
    ("于", 46),
    ("蒋", 45),
    ("蔡", 45),
    ("余", 44),
    ("杜", 42),
    ("叶", 42),
    ("程", 40),
    ("苏", 40),
    ("魏", 38),
    ("吕", 38),
    ("丁", 37),
    ("任", 36),
    ("沈", 36),
    ("姚", 35),
    ("卢", 35),
    ("姜", 33),
    ("崔", 32),
    ("钟", 32),
    ("谭", 31),
    ("陆", 31),
    ("汪", 30),
    ("范", 30),
    ("金", 29),
    ("石", 29),
    ("廖", 28),
    ("贾", 28),
    ("夏", 27),
    ("韦", 27),
    ("付", 26),
    ("方", 26),
    ("白", 25),
    ("邹", 25),
    ("孟", 24),
    ("熊", 24),
    ("秦", 23),
    ("邱", 23),
    ("江", 22),
    ("尹", 22),
    ("薛", 21),
    ("闫", 21),
    ("段", 20),
    ("雷", 20),
    ("侯", 19),
    ("龙", 19),
    ("史", 18),
    ("陶", 18),
    ("黎", 17),
    ("贺", 17),
    ("顾", 16),
    ("毛", 16),
    ("郝", 15),
    ("龚", 15),
    ("邵", 14),
    ("万", 14),
    ("钱", 13),
    ("严", 13),
    ("覃", 12),
    ("武", 12),
    ("戴", 12),
    ("莫", 11),
    ("孔", 11),
    ("向", 10),
    ("汤", 10),
    ("欧阳", 4),
    ("司马", 1),
    ("上官", 1),
    ("诸葛", 1),
];

const MALE_CHARS: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波", "宁", "健", "俊", "浩", "宇", "晨", "峰", "亮",
    "成", "东", "林", "翔", "海", "洋", "凯", "文", "志", "国", "建", "永", "德", "庆", "春", "兵", "毅", "坤", "阳", "博", "然", "睿", "航", "泽", "昊", "轩",
    "帅", "力", "龙", "川", "松", "振", "世", "正",
];

const FEMALE_CHARS: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "婷", "雪", "慧", "玲", "燕", "红", "梅", "琳", "洁", "颖", "萍", "倩", "晶", "璐", "琴", "云", "莉", "兰",
    "佳", "欣", "怡", "悦", "雯", "薇", "蕾", "彤", "露", "瑶", "晓", "文", "春", "秀", "丹", "宁", "凤", "珍", "美",
];

const MALE_OLD: &[&str] = &[
    "建国", "建华", "国强", "志刚", "德明", "福生", "永福", "振华", "文华", "卫国", "保国", "长江", "红旗", "金生", "玉山", "建军", "国庆", "解放", "跃进",
    "援朝", "德胜", "志强",
];

const FEMALE_OLD: &[&str] = &[
    "秀英", "桂英", "秀兰", "玉兰", "桂兰", "秀珍", "凤英", "玉珍", "淑珍", "美华", "素芬", "桂芳", "秀芳", "翠英", "玉梅", "桂珍", "淑英", "红梅", "建英",
    "凤兰",
];

/// A person's name; `female` picks the given-name pool, `birth_year` the generation.
pub(crate) fn person(rng: &mut Rng, female: bool, birth_year: i32) -> String {
    let weights: Vec<u32> = SURNAMES.iter().map(|s| s.1).collect();
    let surname = SURNAMES[rng.weighted(&weights)].0;
    let mut s = String::with_capacity(12);
    s.push_str(surname);
    if birth_year < 1965 && rng.chance(0.45) {
        let given = *rng.pick(if female { FEMALE_OLD } else { MALE_OLD });
        s.push_str(given);
        return s;
    }
    let pool = if female { FEMALE_CHARS } else { MALE_CHARS };
    let first = *rng.pick(pool);
    s.push_str(first);
    // Single-character given names were common before the 1990s, rarer since.
    let two = if birth_year < 1985 { 0.62 } else { 0.8 };
    if rng.chance(two) {
        let second = *rng.pick(pool);
        s.push_str(second);
    }
    s
}

pub(crate) const STREETS: &[&str] = &[
    "东湖", "西城", "南苑", "北山", "长江", "望江", "文昌", "新华", "和平", "解放", "人民", "中山", "滨海", "湖滨", "城南", "城北", "凤凰", "金沙", "天河",
    "紫金", "龙华", "观澜", "青云", "锦江", "明湖", "江湾", "春申", "梅园", "朝晖", "映月",
];
pub(crate) const TOWNS: &[&str] = &[
    "青山", "白沙", "柳林", "石桥", "清河", "黄田", "马鞍", "桃源", "双溪", "大港", "横塘", "花桥", "新塘", "古城", "三江", "长安", "永宁", "太平", "安丰",
    "瓦窑",
];
pub(crate) const TOWNSHIPS: &[&str] = &["龙泉", "梅溪", "云雾", "高坪", "松岭", "碧溪", "石门", "竹林", "杏坛", "红岩", "兰亭", "凤鸣"];

const COMM_A: &[&str] = &[
    "金", "银", "翠", "锦", "丽", "华", "明", "新", "和", "安", "康", "福", "春", "秋", "青", "绿", "紫", "桂", "兰", "梅", "竹", "松", "柳", "枫", "星", "月",
    "阳", "晨", "文", "德", "仁", "惠", "瑞", "祥", "永", "长", "宏", "盛", "兴", "嘉", "幸", "朝", "东", "南", "北",
];
const COMM_B: &[&str] = &[
    "苑", "园", "庭", "湾", "桥", "城", "都", "江", "河", "湖", "山", "林", "泉", "溪", "港", "坊", "里", "景", "晖", "光", "华", "福", "乐", "和", "安", "秀",
    "丰", "平",
];

const VIL_A: &[&str] = &[
    "李", "王", "张", "陈", "刘", "周", "吴", "何", "杨", "黄", "石", "柳", "桃", "杏", "枫", "松", "竹", "梅", "上", "下", "东", "西", "南", "北", "前", "后",
    "新", "老", "高", "大", "小", "青", "红", "白", "金", "马", "牛",
];
const VIL_B: &[&str] = &["家", "庄", "湾", "坪", "岭", "溪", "桥", "塘", "坝", "山", "河", "沟", "园", "冲", "埠", "圩", "店", "集", "营", "堡"];

const FIRM_A: &[&str] = &[
    "华", "盛", "恒", "鑫", "泰", "瑞", "宏", "远", "海", "天", "博", "创", "智", "联", "康", "达", "信", "通", "新", "源", "锦", "腾", "昌", "隆", "德", "正",
    "中", "金", "宇", "汇",
];
const INDUSTRIES: &[&str] = &[
    "科技",
    "建设",
    "物流",
    "电子",
    "机械",
    "医药",
    "食品",
    "纺织",
    "环保",
    "能源",
    "置业",
    "商贸",
    "信息技术",
    "新材料",
    "汽车零部件",
    "餐饮管理",
    "物业管理",
    "网络科技",
    "精密制造",
    "生物科技",
    "智能装备",
    "文化传媒",
];
const FIRM_SUFFIX: &[(&str, u32)] = &[("有限公司", 70), ("股份有限公司", 20), ("集团有限公司", 10)];

const SOCIAL_KINDS: &[&str] = &[
    "律师事务所",
    "会计师事务所",
    "社会工作服务中心",
    "养老服务中心",
    "快递服务站",
    "商会",
    "志愿者协会",
    "物业服务中心",
    "电商产业园",
    "众创空间",
    "网约车服务站",
];

const SCHOOL_KINDS: &[&str] = &["小学", "中学", "实验学校", "中心幼儿园", "初级中学", "职业学校"];

const AREA_UNITS: &[&str] = &["派出所", "社区卫生服务中心", "市场监管所", "税务所", "司法所", "综合文化站", "财政所", "中心卫生院", "供电所", "自然资源所"];

pub(crate) const BUREAUS: &[&str] = &[
    "发展和改革局",
    "教育局",
    "科学技术局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源和规划分局",
    "生态环境分局",
    "住房和城乡建设局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化和旅游局",
    "卫生健康局",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "城市管理局",
    "信访局",
    "机关事务管理局",
    "政务服务管理办公室",
    "档案馆",
    "融媒体中心",
    "总工会",
    "妇女联合会",
];

/// Units hanging directly under the district, with their kind of workplace.
pub(crate) const DISTRICT_UNITS: &[(&str, u8)] = &[
    ("人民医院", 0),
    ("中医院", 0),
    ("妇幼保健院", 0),
    ("疾病预防控制中心", 0),
    ("第一中学", 1),
    ("实验小学", 1),
    ("职业技术学校", 1),
    ("第二中学", 1),
    ("外国语学校", 1),
    ("城市建设投资集团有限公司", 2),
    ("公共交通有限公司", 2),
    ("水务集团有限公司", 2),
    ("国有资产经营有限公司", 2),
    ("文化旅游发展集团有限公司", 2),
    ("第三中学", 1),
    ("第二人民医院", 0),
    ("高新技术产业园区管委会", 0),
    ("开发区管委会", 0),
];

/// Hands out unique container names.
pub(crate) struct Namer {
    used: HashSet<String>,
}

impl Namer {
    pub(crate) fn new() -> Self {
        Namer { used: HashSet::new() }
    }

    /// Draws names from `make` until an unused one comes up (after a few tries, falls
    /// back to numbering the last draw).
    fn unique(&mut self, rng: &mut Rng, mut make: impl FnMut(&mut Rng) -> (String, String)) -> String {
        let mut last = None;
        for _ in 0..40 {
            let (stem, suffix) = make(rng);
            let name = format!("{stem}{suffix}");
            if self.used.insert(name.clone()) {
                return name;
            }
            last = Some((stem, suffix));
        }
        let (stem, suffix) = last.expect("at least one draw");
        for n in 2.. {
            let name = format!("{stem}{}{suffix}", super::cal::cn_num(n));
            if self.used.insert(name.clone()) {
                return name;
            }
        }
        unreachable!()
    }

    pub(crate) fn community(&mut self, rng: &mut Rng) -> String {
        self.unique(rng, |r| (format!("{}{}", r.pick(COMM_A), r.pick(COMM_B)), "社区".into()))
    }

    pub(crate) fn village(&mut self, rng: &mut Rng) -> String {
        self.unique(rng, |r| (format!("{}{}", r.pick(VIL_A), r.pick(VIL_B)), "村".into()))
    }

    pub(crate) fn enterprise(&mut self, rng: &mut Rng) -> String {
        let w: Vec<u32> = FIRM_SUFFIX.iter().map(|s| s.1).collect();
        self.unique(rng, |r| {
            let stem = format!("{}{}{}", r.pick(FIRM_A), r.pick(FIRM_A), r.pick(INDUSTRIES));
            (stem, FIRM_SUFFIX[r.weighted(&w)].0.to_string())
        })
    }

    pub(crate) fn social(&mut self, rng: &mut Rng) -> String {
        self.unique(rng, |r| (format!("{}{}", r.pick(FIRM_A), r.pick(COMM_B)), r.pick(SOCIAL_KINDS).to_string()))
    }

    pub(crate) fn school(&mut self, rng: &mut Rng, area: &str) -> String {
        self.unique(rng, |r| {
            let stem = if r.chance(0.5) { area.to_string() } else { format!("{}{}", r.pick(COMM_A), r.pick(COMM_B)) };
            (stem, r.pick(SCHOOL_KINDS).to_string())
        })
    }

    pub(crate) fn area_unit(&mut self, rng: &mut Rng, area: &str) -> String {
        self.unique(rng, |r| (area.to_string(), r.pick(AREA_UNITS).to_string()))
    }

    /// Reserves a fixed name (areas, bureaus); numbered if it is taken already.
    pub(crate) fn fixed(&mut self, rng: &mut Rng, name: &str) -> String {
        let name = name.to_string();
        self.unique(rng, move |_| (name.clone(), String::new()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_look_chinese_and_unique() {
        let mut rng = Rng::new(1, 99, 0);
        let mut namer = Namer::new();
        let mut seen = HashSet::new();
        for _ in 0..500 {
            assert!(seen.insert(namer.community(&mut rng)));
            assert!(seen.insert(namer.village(&mut rng)));
            assert!(seen.insert(namer.enterprise(&mut rng)));
        }
        let p = person(&mut rng, true, 1950);
        assert!(p.chars().count() >= 2 && p.chars().count() <= 4, "{p}");
        assert!(p.chars().all(|c| c as u32 > 0x4e00));
    }
}
