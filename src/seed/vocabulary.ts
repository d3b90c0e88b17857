/**
 * Words the demo generator builds Chinese names and texts from. Data only.
 *
 * Per leaf service category (codes of `categories.data.ts`): what an organization in that field is
 * called, the services it offers and the needs workers write. Unknown categories (imported later by an
 * admin) fall back to {@link GENERIC_THEME}.
 *
 * @module
 */

/** The words of one service field. */
export interface CategoryTheme {
  /** Middle of a social service agency's name: 济南市历下区阳光 + this + 服务中心. */
  agencyField: string;
  /** Middle of a social group's name: 青岛市 + this + 协会/促进会. */
  groupField: string;
  /** Names of services an organization in the field offers. */
  services: readonly string[];
  /** Titles of workers' needs; `{who}` becomes a group of workers or a workplace. */
  demands: readonly string[];
}

/** Themes by leaf category code. */
export const CATEGORY_THEMES: Readonly<Record<string, CategoryTheme>> = {
  'WORK.RIGHTS': {
    agencyField: '职工法律服务',
    groupField: '职工法律援助',
    services: ['劳动争议调解咨询', '欠薪维权法律援助', '劳动合同审查', '工伤认定代理', '普法进企业讲座'],
    demands: [
      '{who}被拖欠工资，希望获得法律援助',
      '{who}劳动合同到期不续签，咨询经济补偿',
      '{who}工伤认定遇到困难，需要律师指导',
      '希望为{who}开展劳动法普法讲座',
      '{who}加班费计算有争议，请求调解',
    ],
  },
  'WORK.PSYCHOLOGY': {
    agencyField: '心理健康',
    groupField: '职工心理健康促进',
    services: ['职工心理咨询热线', 'EAP员工心理援助', '压力管理团体辅导', '心理健康筛查', '危机干预陪伴'],
    demands: [
      '{who}工作压力大，希望开展心理疏导',
      '为{who}提供一对一心理咨询',
      '{who}夜班多、睡眠差，需要减压团体辅导',
      '希望到{who}开展心理健康讲座',
      '{who}经历突发事件，需要心理危机干预',
    ],
  },
  'WORK.OCCUPATIONAL_HEALTH': {
    agencyField: '职业健康',
    groupField: '职业病防治',
    services: ['职业病防治宣传', '尘肺病职工康复', '颈肩腰椎康复理疗', '职业健康体检陪诊', '岗位工效学评估'],
    demands: [
      '{who}长期接触粉尘，希望开展职业病筛查',
      '{who}颈椎腰椎劳损，需要康复理疗',
      '为{who}讲解噪声防护知识',
      '{who}尘肺病康复需要长期随访',
      '希望为{who}做岗位工效学改善评估',
    ],
  },
  'CAREER.SKILLS': {
    agencyField: '职业技能培训',
    groupField: '职工技能提升',
    services: ['电工技能培训', '家政服务员培训', '电商直播技能课', '焊工考证辅导', '数控机床操作培训'],
    demands: [
      '{who}希望参加电工上岗证培训',
      '{who}想学习电商直播技能',
      '为{who}开设夜间技能提升班',
      '{who}需要焊工技能等级考试辅导',
      '希望组织{who}参加技能比武集训',
    ],
  },
  'CAREER.GUIDANCE': {
    agencyField: '就业创业指导',
    groupField: '职业发展',
    services: ['职业生涯规划咨询', '再就业指导', '简历与面试辅导', '创业孵化陪跑', '转岗职工就业对接'],
    demands: [
      '{who}面临转岗，需要再就业指导',
      '为{who}提供职业生涯规划咨询',
      '{who}希望获得创业政策和贷款指导',
      '{who}需要简历和面试辅导',
      '希望为{who}组织专场招聘对接',
    ],
  },
  'CAREER.QUALIFICATION': {
    agencyField: '职工素质教育',
    groupField: '职工学历提升',
    services: ['职工学历提升辅导', '普通话与写作课堂', '职工夜校', '数字技能普及班', '职称申报辅导'],
    demands: [
      '{who}希望参加学历提升辅导班',
      '为{who}开设职工夜校课程',
      '{who}想学习办公软件和数字技能',
      '{who}需要职称申报材料指导',
      '希望为{who}提供线上学习平台账号',
    ],
  },
  'LIFE.FAMILY': {
    agencyField: '家庭服务',
    groupField: '婚姻家庭',
    services: ['婚姻家庭咨询', '亲子关系工作坊', '家庭矛盾调解', '新婚夫妇课堂', '单亲职工家庭支持'],
    demands: [
      '{who}家庭矛盾突出，希望获得调解帮助',
      '为{who}开展亲子沟通工作坊',
      '{who}长期两地分居，需要婚姻家庭辅导',
      '{who}单亲家庭需要社工跟进支持',
      '希望为{who}举办家庭教育讲座',
    ],
  },
  'LIFE.DATING': {
    agencyField: '婚恋服务',
    groupField: '青年职工交友',
    services: ['单身职工联谊会', '婚恋观辅导讲座', '青年交友户外活动', '婚恋信息安全核验', '集体婚礼筹办'],
    demands: [
      '{who}单身青年较多，希望组织联谊活动',
      '为{who}开展婚恋观辅导讲座',
      '{who}希望参加跨企业青年交友活动',
      '希望为{who}筹办集体婚礼',
      '{who}想了解安全可靠的婚恋服务',
    ],
  },
  'LIFE.CHILDCARE': {
    agencyField: '托育',
    groupField: '婴幼儿照护',
    services: ['职工子女暑期托管', '爱心托管班', '婴幼儿照护指导', '企业托育点运营', '四点半课堂'],
    demands: [
      '{who}暑假孩子无人照看，需要托管服务',
      '希望在{who}附近开设四点半课堂',
      '{who}双职工家庭需要婴幼儿托育',
      '为{who}提供科学育儿指导',
      '{who}倒班期间需要临时托育',
    ],
  },
  'LIFE.ELDERLY_CARE': {
    agencyField: '养老服务',
    groupField: '助老服务',
    services: ['职工父母居家探访', '助老陪诊服务', '老年人防诈骗讲座', '喘息照护服务', '适老化改造评估'],
    demands: [
      '{who}父母独居，需要定期上门探访',
      '{who}家中老人就医需要陪诊',
      '为{who}家属提供喘息照护服务',
      '{who}希望了解长期护理保险政策',
      '{who}家中老人需要适老化改造',
    ],
  },
  'LIFE.EDUCATION_AID': {
    agencyField: '助学服务',
    groupField: '金秋助学',
    services: ['金秋助学金申请辅导', '职工子女课业辅导', '大学新生入学帮扶', '学业规划讲座', '留守儿童陪伴'],
    demands: [
      '{who}子女考上大学，家庭困难需要助学帮扶',
      '为{who}子女提供周末课业辅导',
      '{who}子女为留守儿童，需要志愿者陪伴',
      '希望为{who}子女开展学业规划讲座',
      '{who}需要了解金秋助学申请流程',
    ],
  },
  'LIFE.HARDSHIP': {
    agencyField: '困难职工帮扶',
    groupField: '职工互助',
    services: ['困难职工入户走访', '大病救助申请协助', '节日送温暖', '临时生活救助', '困难职工档案建档'],
    demands: [
      '{who}因病致困，需要大病救助',
      '{who}家庭突遭变故，申请临时救助',
      '希望为{who}困难家庭开展入户走访',
      '{who}需要协助申请低保和救助政策',
      '为{who}困难职工送温暖慰问',
    ],
  },
  'LIFE.CATERING': {
    agencyField: '职工餐饮',
    groupField: '团餐服务',
    services: ['职工食堂托管', '户外劳动者爱心餐', '营养配餐指导', '夜班职工热餐配送', '食品安全培训'],
    demands: [
      '{who}就餐不便，希望提供爱心午餐',
      '{who}夜班没有热饭，需要配餐服务',
      '为{who}食堂提供营养配餐指导',
      '{who}希望在驿站提供平价工作餐',
      '希望为{who}开展食品安全培训',
    ],
  },
  'CULTURE.VOLUNTEERING': {
    agencyField: '志愿服务',
    groupField: '职工志愿者',
    services: ['职工志愿者招募培训', '社区公益日活动', '爱心驿站志愿值守', '无偿献血组织', '环保公益行动'],
    demands: [
      '{who}希望组建职工志愿服务队',
      '为{who}提供志愿者培训',
      '{who}想参加社区公益日活动',
      '希望在{who}附近爱心驿站增加志愿值守',
      '{who}希望组织无偿献血活动',
    ],
  },
  'CULTURE.ARTS_SPORTS': {
    agencyField: '文体服务',
    groupField: '职工文化体育',
    services: ['职工篮球联赛', '书法绘画兴趣班', '广场舞培训', '职工读书会', '健步走活动'],
    demands: [
      '{who}业余生活单调，希望组织文体活动',
      '为{who}组织篮球友谊赛',
      '{who}希望开设书法绘画兴趣班',
      '希望在{who}成立职工读书会',
      '{who}想参加健步走等健身活动',
    ],
  },
  'UNION_SUPPORT.CAPACITY': {
    agencyField: '工会工作',
    groupField: '基层工会建设',
    services: [
      '基层工会干部培训',
      '工会财务规范辅导',
      '职工之家建设指导',
      '工会会员入会服务',
      '集体协商指导',
    ],
    demands: [
      '{who}工会新成立，需要干部培训',
      '为{who}工会提供财务规范辅导',
      '{who}希望开展工资集体协商指导',
      '希望指导{who}建设职工之家',
      '{who}新就业形态劳动者入会需要帮助',
    ],
  },
  'UNION_SUPPORT.RESEARCH': {
    agencyField: '社会调查',
    groupField: '职工发展研究',
    services: ['职工需求问卷调查', '职工生活品质调研', '座谈访谈组织', '调研报告撰写', '数据分析服务'],
    demands: [
      '希望对{who}开展生活需求调查',
      '{who}需要第三方组织职工座谈',
      '为{who}撰写职工需求调研报告',
      '希望了解{who}的托育需求规模',
      '{who}希望开展满意度调查',
    ],
  },
  'UNION_SUPPORT.EVALUATION': {
    agencyField: '评估咨询',
    groupField: '社会组织评估',
    services: [
      '服务项目绩效评估',
      '社会组织等级评估辅导',
      '项目中期督导',
      '满意度第三方测评',
      '项目申报辅导',
    ],
    demands: [
      '{who}购买服务项目需要第三方评估',
      '为{who}开展服务满意度测评',
      '{who}希望获得项目申报辅导',
      '{who}需要项目中期督导',
      '希望为{who}提供绩效评估指标设计',
    ],
  },
};

/** Words for categories the table above does not know. */
export const GENERIC_THEME: CategoryTheme = {
  agencyField: '职工服务',
  groupField: '职工服务',
  services: ['职工综合服务', '职工关爱活动', '职工服务咨询'],
  demands: ['{who}希望获得相关服务', '为{who}提供关爱服务'],
};

/** Words before the field in an agency's name: 阳光, 春晖 … (字号). */
// prettier-ignore
export const BRAND_WORDS: readonly string[] = [
  '阳光', '春晖', '暖心', '同心', '和谐', '爱心', '康乐', '启航', '众益', '晨曦', '益心', '乐群',
  '仁和', '惠民', '善行', '德馨', '齐鲁', '泉城', '海韵', '安康', '馨悦', '恒爱', '知行', '朴素',
  '彩虹', '向日葵', '蒲公英', '红烛', '聚力', '同行', '汇爱', '长青', '明德', '润泽', '时光', '繁星',
];

/** How social service agencies' names end. */
// prettier-ignore
export const AGENCY_SUFFIXES: readonly string[] = [
  '服务中心', '社会工作服务中心', '服务社', '发展中心', '公益服务中心',
];

/** How social groups' names end. */
export const GROUP_SUFFIXES: readonly string[] = ['协会', '促进会', '研究会', '联合会'];

/** Workplaces and groups that needs are about (`{who}` in the demand titles). */
// prettier-ignore
export const WORKPLACES: readonly string[] = [
  '我们车间的职工', '外卖骑手', '快递小哥', '环卫工人', '建筑工地农民工', '纺织厂女职工', '港口装卸工',
  '出租车司机', '物流园区职工', '开发区企业职工', '医院护理人员', '中小学教职工', '化工园区职工',
  '商超营业员', '煤矿一线职工', '公交驾驶员', '家政服务员', '残疾职工', '园区新就业形态劳动者', '困难职工家庭',
];

/** Chinese family names, most common first. */
// prettier-ignore
export const SURNAMES: readonly string[] = [
  '王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '马', '胡', '朱', '郭', '何', '林',
  '高', '罗', '郑', '梁', '谢', '宋', '唐', '许', '韩', '冯', '邓', '曹', '彭', '曾', '田', '于', '董', '孔',
];

/** Characters of given names. */
// prettier-ignore
export const GIVEN_CHARS: readonly string[] = [
  '伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀',
  '霞', '平', '刚', '桂', '英', '华', '建', '国', '红', '文', '海', '玲', '鹏', '辉', '婷', '雪', '晨', '宇',
];

/** Telephone area codes of Shandong's cities, by city code (for public contacts). */
// prettier-ignore
export const AREA_CODES: Readonly<Record<string, string>> = {
  '370100': '0531', '370200': '0532', '370300': '0533', '370400': '0632', '370500': '0546',
  '370600': '0535', '370700': '0536', '370800': '0537', '370900': '0538', '371000': '0631',
  '371100': '0633', '371300': '0539', '371400': '0534', '371500': '0635', '371600': '0543',
  '371700': '0530',
};

/** Relative weight of each city (roughly its workforce), for where organizations and needs are. */
// prettier-ignore
export const CITY_WEIGHTS: Readonly<Record<string, number>> = {
  '370100': 10, '370200': 11, '370300': 5, '370400': 4, '370500': 2.5, '370600': 7, '370700': 9,
  '370800': 8, '370900': 5, '371000': 3, '371100': 3, '371300': 10, '371400': 5.5, '371500': 6,
  '371600': 4, '371700': 8.5,
};
