//! The closed vocabularies of §2 and §3. Each value has its contract spelling (`as_str`), a
//! stable small code (how the events table stores it) and a Chinese label for the UI.

use serde::{Deserialize, Serialize};

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident, $what:literal { $($variant:ident = $code:literal, $text:literal, $zh:literal;)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The stable numeric code stored in the database.
            pub const fn code(self) -> i16 {
                match self { $($name::$variant => $code),+ }
            }

            pub fn from_code(code: i16) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            pub fn zh(self) -> &'static str {
                match self { $($name::$variant => $zh),+ }
            }

            pub fn parse(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!(concat!("{:?} is not a known ", $what, " (expected one of: {})"), s,
                        [$($text),+].join(", "))),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// Organisation kinds, top to bottom (§2).
    OrgKind, "organisation kind" {
        District = 1, "district", "区";
        Street = 2, "street", "街道";
        Town = 3, "town", "镇";
        Township = 4, "township", "乡";
        Community = 5, "community", "社区";
        Village = 6, "village", "村";
        Unit = 7, "unit", "单位";
        Committee = 8, "committee", "党委";
        GeneralBranch = 9, "general_branch", "党总支";
        Branch = 10, "branch", "党支部";
    }
}

impl OrgKind {
    /// Committees, general branches and branches are the grassroots organisations.
    pub fn is_grassroots(self) -> bool {
        matches!(self, OrgKind::Committee | OrgKind::GeneralBranch | OrgKind::Branch)
    }
}

vocabulary! {
    /// Activity kinds (§3). The first six are organisation life.
    ActivityKind, "activity kind" {
        PartyCongress = 1, "party_congress", "党员大会";
        CommitteeMeeting = 2, "committee_meeting", "支委会";
        GroupMeeting = 3, "group_meeting", "党小组会";
        PartyLesson = 4, "party_lesson", "党课";
        ThemeDay = 5, "theme_day", "主题党日";
        OrgLifeMeeting = 6, "org_life_meeting", "组织生活会";
        TheoryStudy = 7, "theory_study", "理论学习";
        DemocraticConsultation = 8, "democratic_consultation", "民主协商议事";
        DemocraticEvaluation = 9, "democratic_evaluation", "民主评议";
        VolunteerActivity = 10, "volunteer_activity", "志愿服务";
        CondolenceVisit = 11, "condolence_visit", "慰问";
    }
}

impl ActivityKind {
    /// 组织生活: the six kinds of organisation life.
    pub fn is_org_life(self) -> bool {
        self.code() <= 6
    }

    /// Organisation-life kinds open to all members (committee and group meetings are not).
    pub fn is_all_member(self) -> bool {
        matches!(self, ActivityKind::PartyCongress | ActivityKind::PartyLesson | ActivityKind::ThemeDay | ActivityKind::OrgLifeMeeting)
    }

    /// Whether attending earns a party-life point (§4): organisation life, theory study,
    /// democratic consultation and democratic evaluation.
    pub fn attendance_scores(self) -> bool {
        !matches!(self, ActivityKind::VolunteerActivity | ActivityKind::CondolenceVisit)
    }
}

vocabulary! {
    /// Member-level event kinds (§3).
    EventKind, "event kind" {
        Attend = 1, "attend", "参加活动";
        Leave = 2, "leave", "请假";
        Dues = 3, "dues", "交纳党费";
        ModelPost = 4, "model_post", "示范岗";
        Volunteer = 5, "volunteer", "志愿服务";
        Study = 6, "study", "学习";
        Evaluation = 7, "evaluation", "民主评议";
    }
}

vocabulary! {
    /// The platforms events come from (§3).
    Source, "source" {
        FenglingEjia = 1, "fengling_ejia", "锋领e家";
        Fenglinghui = 2, "fenglinghui", "锋领汇";
        Yongzhiyuan = 3, "yongzhiyuan", "甬志愿";
        Checkin = 4, "checkin", "扫码签到";
        Manual = 5, "manual", "手工录入";
    }
}

vocabulary! {
    Gender, "gender" {
        M = 1, "M", "男";
        F = 2, "F", "女";
    }
}

vocabulary! {
    MemberStatus, "member status" {
        Full = 1, "full", "正式党员";
        Probationary = 2, "probationary", "预备党员";
    }
}

vocabulary! {
    Category, "member category" {
        Employed = 1, "employed", "在职党员";
        Retired = 2, "retired", "离退休党员";
        Mobile = 3, "mobile", "流动党员";
        NewEconomy = 4, "new_economy", "新兴领域党员";
        Rural = 5, "rural", "农村党员";
        Student = 6, "student", "学生党员";
    }
}

/// The words of an evaluation grade (§3: the `evaluation` event's quantity, 1 优秀 … 4
/// 不合格); `None` outside 1–4.
pub fn grade_zh(grade: i64) -> Option<&'static str> {
    ["优秀", "合格", "基本合格", "不合格"].get(usize::try_from(grade).ok()?.checked_sub(1)?).copied()
}

vocabulary! {
    ResourceKind, "resource kind" {
        Lecturer = 1, "lecturer", "讲师";
        Lesson = 2, "lesson", "课程";
        Video = 3, "video", "视频";
        Base = 4, "base", "教育基地";
    }
}

vocabulary! {
    /// Steps of new-member development (发展党员), in order.
    CandidateStep, "development step" {
        Application = 1, "application", "入党申请人";
        Activist = 2, "activist", "入党积极分子";
        Candidate = 3, "candidate", "发展对象";
        Probationary = 4, "probationary", "预备党员";
        Full = 5, "full", "正式党员";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for k in ActivityKind::ALL {
            assert_eq!(ActivityKind::from_code(k.code()), Some(*k));
            assert_eq!(ActivityKind::parse(k.as_str()), Ok(*k));
        }
        for k in EventKind::ALL {
            assert_eq!(EventKind::from_code(k.code()), Some(*k));
        }
        assert_eq!(ActivityKind::ALL.iter().filter(|k| k.is_org_life()).count(), 6);
        assert_eq!(ActivityKind::ALL.iter().filter(|k| k.is_all_member()).count(), 4);
        assert!(OrgKind::parse("branchx").unwrap_err().contains("branch"));
    }

    #[test]
    fn grade_words() {
        assert_eq!(grade_zh(1), Some("优秀"));
        assert_eq!(grade_zh(4), Some("不合格"));
        assert_eq!(grade_zh(0), None);
        assert_eq!(grade_zh(5), None);
        assert_eq!(grade_zh(-1), None);
    }
}
