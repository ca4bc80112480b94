/** The demo's organisation: the two reports of the seed (DESIGN → Demo data). Names as the agencies write them. */
export interface DemoUnit {
  code: string;
  name: string;
  kind: 'PROVINCE' | 'CITY' | 'DISTRICT' | 'COUNTY' | 'DEPARTMENT' | 'TOWNSHIP' | 'DEVELOPMENT_ZONE' | 'OTHER';
  children?: DemoUnit[];
}

const dept = (code: string, name: string): DemoUnit => ({ code, name, kind: 'DEPARTMENT' });
const town = (code: string, name: string): DemoUnit => ({ code, name, kind: 'TOWNSHIP' });

export const demoUnits: DemoUnit[] = [
  {
    code: 'nanxun',
    name: '南浔区人民政府',
    kind: 'DISTRICT',
    children: [
      dept('nanxun-gov-office', '区政府办公室'),
      dept('nanxun-culture-sports', '区文化体育局'),
      dept('nanxun-development-reform', '区发展和改革局'),
      dept('nanxun-science-tech', '区科学技术局'),
      dept('nanxun-finance', '区财政局'),
      dept('nanxun-tourism', '区旅游局'),
      dept('nanxun-public-security', '区公安分局'),
      dept('nanxun-commerce', '区工商分局'),
      dept('nanxun-info-center', '区政府信息中心'),
      town('nanxun-town', '南浔镇人民政府'),
      town('nanxun-shuanglin', '双林镇人民政府'),
      town('nanxun-lianshi', '练市镇人民政府'),
      town('nanxun-shanlian', '善琏镇人民政府'),
      town('nanxun-jiuguan', '旧馆镇人民政府'),
      town('nanxun-linghu', '菱湖镇人民政府'),
      town('nanxun-hefu', '和孚镇人民政府'),
      town('nanxun-qianjin', '千金镇人民政府'),
      town('nanxun-shicong', '石淙镇人民政府'),
      { code: 'nanxun-dev-zone', name: '南浔经济开发区管委会', kind: 'DEVELOPMENT_ZONE' },
    ],
  },
  {
    code: 'luonan',
    name: '洛南县人民政府',
    kind: 'COUNTY',
    children: [
      {
        code: 'luonan-county',
        name: '县级政府机关',
        kind: 'OTHER',
        children: [
          dept('luonan-county-committee-office', '县委办公室'),
          dept('luonan-gov-office', '县政府办公室'),
          dept('luonan-public-security', '县公安局'),
          dept('luonan-finance', '县财政局'),
          dept('luonan-supervision', '县监察局'),
          dept('luonan-culture-broadcast', '县文化广电局'),
          dept('luonan-commerce', '县工商局'),
          dept('luonan-egov-center', '县电子政务中心'),
          dept('luonan-education', '县教育局'),
          dept('luonan-health', '县卫生局'),
        ],
      },
      {
        code: 'luonan-towns',
        name: '镇级政府机关',
        kind: 'OTHER',
        children: [
          town('luonan-chengguan', '城关街道办事处'),
          town('luonan-sihao', '四皓街道办事处'),
          town('luonan-jingcun', '景村镇人民政府'),
          town('luonan-gucheng', '古城镇人民政府'),
          town('luonan-sanyao', '三要镇人民政府'),
          town('luonan-lingkou', '灵口镇人民政府'),
          town('luonan-xunjian', '巡检镇人民政府'),
          town('luonan-shipo', '石坡镇人民政府'),
          town('luonan-baoan', '保安镇人民政府'),
          town('luonan-yongfeng', '永丰镇人民政府'),
        ],
      },
    ],
  },
];
