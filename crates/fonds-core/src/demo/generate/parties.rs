//! The people and organisations of the demo: the company's staff, its customers and suppliers,
//! and the public bodies it pays. All names are invented for the demonstration; their
//! identifiers are derived from the names in `identifiers`.

/// A department, which decides whether its costs are selling or administrative expenses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dept {
    Rnd,
    Sales,
    Marketing,
    Admin,
    Hr,
}

impl Dept {
    pub(super) const fn name_zh(self) -> &'static str {
        match self {
            Self::Rnd => "研发部",
            Self::Sales => "销售部",
            Self::Marketing => "市场部",
            Self::Admin => "行政部",
            Self::Hr => "人力资源部",
        }
    }

    /// The head of the department, who approves its claims.
    pub(super) const fn head(self) -> &'static str {
        match self {
            Self::Rnd => "邓志强",
            Self::Sales => "钱立新",
            Self::Marketing => "叶青",
            Self::Admin => "方丽",
            Self::Hr => "蒋涛",
        }
    }

    /// Selling expenses (销售费用) rather than administrative ones (管理费用).
    pub(super) const fn sells(self) -> bool {
        matches!(self, Self::Sales | Self::Marketing)
    }
}

/// A member of staff who incurs expenses.
#[derive(Debug, Clone, Copy)]
pub(super) struct Employee {
    pub(super) name: &'static str,
    pub(super) dept: Dept,
}

const fn staff(name: &'static str, dept: Dept) -> Employee {
    Employee { name, dept }
}

pub(super) static STAFF: [Employee; 24] = [
    staff("张伟", Dept::Rnd),
    staff("李娜", Dept::Rnd),
    staff("王强", Dept::Rnd),
    staff("刘洋", Dept::Rnd),
    staff("陈晨", Dept::Rnd),
    staff("杨帆", Dept::Rnd),
    staff("黄磊", Dept::Rnd),
    staff("赵雪", Dept::Rnd),
    staff("周杰", Dept::Rnd),
    staff("吴昊", Dept::Rnd),
    staff("徐明", Dept::Sales),
    staff("孙丽", Dept::Sales),
    staff("马超", Dept::Sales),
    staff("朱婷", Dept::Sales),
    staff("胡斌", Dept::Sales),
    staff("郭敏", Dept::Sales),
    staff("何静", Dept::Marketing),
    staff("高鹏", Dept::Marketing),
    staff("林晓", Dept::Marketing),
    staff("罗欣", Dept::Admin),
    staff("梁宇", Dept::Admin),
    staff("宋佳", Dept::Admin),
    staff("谢琳", Dept::Hr),
    staff("韩冬", Dept::Hr),
];

/// The accountants who prepare vouchers (制单).
pub(super) static PREPARERS: [&str; 2] = ["王丽华", "陈静"];
/// The finance manager, who reviews (审核) vouchers and signs reports.
pub(super) const REVIEWER: &str = "周建国";
/// The accountant who posts vouchers to the ledgers (记账).
pub(super) const BOOKKEEPER: &str = "刘芳";
/// The cashier (出纳).
pub(super) const CASHIER: &str = "赵敏";
/// The general manager and legal representative, who approves and signs.
pub(super) const MANAGER: &str = "沈志远";
/// Staff on the payroll, for salary documents.
pub(super) const HEADCOUNT: u32 = 128;

/// An organisation the company deals with.
#[derive(Debug, Clone, Copy)]
pub(super) struct Party {
    pub(super) name: &'static str,
    /// The administrative division code of its registration (e.g. 310115, 浦东新区).
    pub(super) region: &'static str,
    /// Where its settlement account is held.
    pub(super) bank: &'static str,
}

const fn party(name: &'static str, region: &'static str, bank: &'static str) -> Party {
    Party { name, region, bank }
}

/// The company itself.
pub(super) const US: Party = party("华东示范科技有限公司", "310115", "招商银行上海张江支行");
/// Its registered address, printed on its documents.
pub(super) const OUR_ADDRESS: &str = "上海市浦东新区张江高科技园区科苑路 88 号 6 楼";

pub(super) static CUSTOMERS: [Party; 10] = [
    party(
        "上海启明数据服务有限公司",
        "310104",
        "中国工商银行上海徐汇支行",
    ),
    party(
        "苏州工业园区华信精密机械有限公司",
        "320571",
        "中国银行苏州工业园区支行",
    ),
    party("杭州西湖智联科技有限公司", "330106", "杭州银行西湖支行"),
    party(
        "南京紫金医疗器械有限公司",
        "320102",
        "中国建设银行南京玄武支行",
    ),
    party("上海申江物流集团有限公司", "310110", "交通银行上海杨浦支行"),
    party(
        "无锡锡城新材料股份有限公司",
        "320214",
        "中国农业银行无锡新吴支行",
    ),
    party("宁波港湾贸易有限公司", "330203", "宁波银行海曙支行"),
    party(
        "上海浦江城市建设投资有限公司",
        "310115",
        "上海浦东发展银行陆家嘴支行",
    ),
    party("合肥庐州电子科技有限公司", "340104", "徽商银行合肥蜀山支行"),
    party("上海长宁连锁商业有限公司", "310105", "上海银行长宁支行"),
];

/// Suppliers of the hardware the company resells, bought on credit.
pub(super) static VENDORS: [Party; 4] = [
    party("深圳博达电子科技有限公司", "440305", "招商银行深圳南山支行"),
    party(
        "上海联拓网络设备有限公司",
        "310112",
        "中国建设银行上海闵行支行",
    ),
    party(
        "北京中科恒信计算机系统有限公司",
        "110108",
        "中国工商银行北京中关村支行",
    ),
    party(
        "苏州吴中数据存储技术有限公司",
        "320506",
        "中国银行苏州吴中支行",
    ),
];

/// A city staff travel to, with a hotel there.
#[derive(Debug, Clone, Copy)]
pub(super) struct Trip {
    pub(super) city: &'static str,
    pub(super) hotel: Party,
}

pub(super) static TRIPS: [Trip; 7] = [
    trip(
        "北京",
        party(
            "北京中关村国际酒店管理有限公司",
            "110108",
            "北京银行中关村支行",
        ),
    ),
    trip(
        "深圳",
        party(
            "深圳南山湾商务酒店有限公司",
            "440305",
            "平安银行深圳南山支行",
        ),
    ),
    trip(
        "广州",
        party("广州天河瑞景酒店有限公司", "440106", "广发银行广州天河支行"),
    ),
    trip(
        "杭州",
        party("杭州钱塘江畔酒店有限公司", "330102", "浙商银行杭州上城支行"),
    ),
    trip(
        "成都",
        party("成都锦城商务酒店有限公司", "510107", "成都银行武侯支行"),
    ),
    trip(
        "南京",
        party("南京秦淮迎宾酒店有限公司", "320104", "南京银行秦淮支行"),
    ),
    trip(
        "武汉",
        party("武汉江城国际酒店有限公司", "420106", "汉口银行武昌支行"),
    ),
];

const fn trip(city: &'static str, hotel: Party) -> Trip {
    Trip { city, hotel }
}

pub(super) static RESTAURANTS: [Party; 4] = [
    party(
        "上海静安味道餐饮管理有限公司",
        "310106",
        "中国银行上海静安支行",
    ),
    party("上海外滩江南餐饮有限公司", "310101", "交通银行上海黄浦支行"),
    party(
        "上海张江园区餐饮服务有限公司",
        "310115",
        "上海农商银行张江支行",
    ),
    party(
        "上海徐汇本帮菜馆有限公司",
        "310104",
        "中国工商银行上海漕河泾支行",
    ),
];
pub(super) static OFFICE_SUPPLIERS: [Party; 3] = [
    party(
        "上海文采办公用品有限公司",
        "310107",
        "中国农业银行上海普陀支行",
    ),
    party(
        "上海百思得办公设备有限公司",
        "310109",
        "中国建设银行上海虹口支行",
    ),
    party("上海浦东文教用品商行有限公司", "310115", "上海银行浦东分行"),
];
pub(super) static RIDE_HAILING: [Party; 2] = [
    party("上海申程出行科技有限公司", "310112", "招商银行上海闵行支行"),
    party(
        "上海快的城市出行服务有限公司",
        "310106",
        "上海浦东发展银行静安支行",
    ),
];
pub(super) static AGENCIES: [Party; 2] = [
    party(
        "上海星链广告传媒有限公司",
        "310106",
        "中国民生银行上海静安支行",
    ),
    party(
        "上海新视界会展服务有限公司",
        "310115",
        "兴业银行上海浦东支行",
    ),
];
pub(super) static CLOUDS: [Party; 2] = [
    party("杭州云栖计算服务有限公司", "330106", "招商银行杭州西湖支行"),
    party("上海云境信息技术有限公司", "310115", "中信银行上海张江支行"),
];
pub(super) const LANDLORD: Party = party(
    "上海张江科创园区发展有限公司",
    "310115",
    "中国建设银行上海张江支行",
);
pub(super) const PROPERTY_MANAGER: Party = party(
    "上海张江园区物业管理有限公司",
    "310115",
    "中国工商银行上海张江支行",
);
pub(super) const TREASURY: Party = party(
    "国家金库上海市浦东新区支库",
    "310115",
    "国家金库上海市浦东新区支库",
);
pub(super) const SOCIAL_SECURITY: Party = party(
    "上海市社会保险事业管理中心",
    "310101",
    "中国工商银行上海市分行营业部",
);
pub(super) const HOUSING_FUND: Party = party(
    "上海市公积金管理中心",
    "310101",
    "中国建设银行上海市分行营业部",
);
