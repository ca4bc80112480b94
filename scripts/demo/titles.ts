/**
 * Raw titles as inventory agents report them (Chinese and English, with their versions and publishers), grouped by
 * what the shipped normalization rules make of them. `titles.spec.ts` checks every one against the default rules,
 * so a rule change that would move a demo figure fails there first.
 */
export interface RawTitle {
  readonly name: string;
  readonly version: string | null;
  readonly publisher: string | null;
}

export interface RawOs {
  readonly name: string;
  readonly version: string;
}

const ms = 'Microsoft Corporation';
const t = (name: string, version: string | null, publisher: string | null): RawTitle => ({ name, version, publisher });

/** Operating systems (HARDWARE/OSNAME, OPERATINGSYSTEM/FULL_NAME), by the edition the rules recognize. */
export const osTitles = {
  win10Pro: [
    { name: 'Microsoft Windows 10 专业版', version: '10.0.19045' },
    { name: 'Microsoft Windows 10 专业版', version: '10.0.19044' },
    { name: 'Microsoft Windows 10 Pro', version: '10.0.19045' },
  ],
  win7Pro: [
    { name: 'Microsoft Windows 7 专业版', version: '6.1.7601' },
    { name: 'Microsoft Windows 7 Professional', version: '6.1.7601' },
  ],
  /** Windows 7 Ultimate and Windows 10 Enterprise: no seat and no downgrade right covers them here. */
  uncovered: [
    { name: 'Microsoft Windows 7 旗舰版', version: '6.1.7601' },
    { name: 'Microsoft Windows 7 旗舰版', version: '6.1.7600' },
    { name: 'Microsoft Windows 7 Ultimate', version: '6.1.7601' },
    { name: 'Microsoft Windows 10 企业版', version: '10.0.19045' },
  ],
  /** Windows XP: no edition in the catalogue, so the machine has no recognized operating system (MISSING). */
  unrecognized: [
    { name: 'Microsoft Windows XP Professional', version: '5.1.2600' },
    { name: 'Microsoft Windows XP 专业版', version: '5.1.2600' },
  ],
} satisfies Record<string, RawOs[]>;

/** Office suites, by edition. */
export const officeTitles = {
  office2016ProPlus: [
    t('Microsoft Office 专业增强版 2016', '16.0.4266.1001', ms),
    t('Microsoft Office Professional Plus 2016', '16.0.4266.1001', ms),
  ],
  office2010ProPlus: [
    t('Microsoft Office Professional Plus 2010', '14.0.7015.1000', ms),
    t('Microsoft Office 专业增强版 2010', '14.0.7015.1000', ms),
  ],
  /** Pirated copies: Office editions nobody bought. */
  pirated: [
    t('Microsoft Office Professional Plus 2010', '14.0.4763.1000', ms),
    t('Microsoft Office 专业增强版 2016', '16.0.4266.1001', ms),
    t('Microsoft Office Professional Plus 2007', '12.0.6612.1000', ms),
    t('Microsoft Office 家庭和学生版 2016', '16.0.4266.1001', ms),
  ],
  m365: [t('Microsoft 365 Apps for enterprise - zh-cn', '16.0.14326.20404', ms)],
  /** WPS Office 专业版 (the government edition): licensable, bought as a county-wide pool. */
  wpsProfessional: [
    t('WPS Office 2019 专业版', '11.8.2.10386', 'Kingsoft Corp.'),
    t('WPS Office', '11.8.2.11019', 'Kingsoft Corp.'),
  ],
  /** Free office suites: need no license. */
  free: [
    t('WPS Office', '11.1.0.10314', 'Kingsoft Corp.'),
    t('WPS Office', '11.1.0.9912', 'Kingsoft Corp.'),
    t('LibreOffice 7.5.4.2', '7.5.4.2', 'The Document Foundation'),
  ],
  /** What travels with Microsoft Office and the rules ignore. */
  companions: [
    t('Microsoft Office Proofing Tools 2016 - English', '16.0.4266.1001', ms),
    t('Update for Microsoft Office 2010 (KB2553347) 32-Bit Edition', null, ms),
    t('Security Update for Microsoft Office 2010 (KB4484373) 32-Bit Edition', null, ms),
  ],
} satisfies Record<string, RawTitle[]>;

/** Antivirus, by edition. */
export const antivirusTitles = {
  /** 瑞星 network edition: covered by Nanxun's district-wide SITE license, pirated elsewhere. */
  risingNetwork: [t('瑞星杀毒软件网络版', '23.00.45.18', '北京瑞星网安技术股份有限公司'), t('瑞星ESM防病毒终端', '3.0.0.56', '北京瑞星网安技术股份有限公司')],
  qihooEndpoint: [t('360终端安全管理系统', '10.0.0.1068', '360安全中心')],
  huorongEndpoint: [t('火绒终端安全管理系统', '2.0.12.9', '北京火绒网络科技有限公司')],
  /** Free antivirus: counts as licensed. */
  free: [
    t('360安全卫士', '13.0.0.2006', '360安全中心'),
    t('360杀毒', '5.0.0.8183', '360安全中心'),
    t('火绒安全软件', '5.0.73.5', '北京火绒网络科技有限公司'),
    t('瑞星杀毒软件', '25.00.09.07', '北京瑞星网安技术股份有限公司'),
  ],
  /** Licensable antivirus nobody (or an expired license) pays for. */
  unlicensed: [
    t('卡巴斯基反病毒软件 2013', '13.0.1.4190', 'Kaspersky Lab'),
    t('ESET NOD32 Antivirus', '9.0.429.0', 'ESET, spol. s r.o.'),
  ],
} satisfies Record<string, RawTitle[]>;

/** Everyday noise the rules ignore: runtimes, updates, drivers, plug-ins. */
export const ignoredTitles: RawTitle[] = [
  t('Microsoft Visual C++ 2008 Redistributable - x86 9.0.30729.6161', '9.0.30729.6161', ms),
  t('Microsoft Visual C++ 2015-2019 Redistributable (x64) - 14.29.30133', '14.29.30133.0', ms),
  t('Microsoft .NET Framework 4.8', '4.8.03761', ms),
  t('Java 8 Update 281', '8.0.2810.9', 'Oracle Corporation'),
  t('Adobe Flash Player 32 ActiveX', '32.0.0.465', 'Adobe'),
  t('Intel(R) Management Engine Components', '11.7.0.1045', 'Intel Corporation'),
  t('Realtek High Definition Audio Driver', '6.0.1.8036', 'Realtek Semiconductor Corp.'),
  t('NVIDIA 图形驱动程序 391.35', '391.35', 'NVIDIA Corporation'),
  t('HP LaserJet Professional P1100 打印机驱动', '20180815', 'HP'),
  t('Microsoft Silverlight', '5.1.50918.0', ms),
  t('Update for Windows 7 (KB2952664)', null, ms),
];

/** Common software no shipped rule knows: listed as unrecognized for the catalogue team's worklist. */
export const unrecognizedTitles: RawTitle[] = [
  t('腾讯QQ', '9.7.1.28940', '腾讯科技(深圳)有限公司'),
  t('微信', '3.9.2.23', '腾讯科技(深圳)有限公司'),
  t('搜狗拼音输入法 12.4正式版', '12.4.0.6503', 'Sogou.com'),
  t('WinRAR 5.91 (64-位)', '5.91.0', 'win.rar GmbH'),
  t('福昕PDF阅读器', '11.2.1.53537', '福建福昕软件开发股份有限公司'),
  t('钉钉', '6.5.30', '钉钉(中国)信息技术有限公司'),
];

/** Outside the tracked categories: a free reader, and an unlicensed design tool that shows up in positions. */
export const otherTitles = {
  reader: [t('Adobe Reader XI (11.0.23) - Chinese Simplified', '11.0.23', 'Adobe Systems Incorporated')],
  photoshop: [t('Adobe Photoshop CS6', '13.0', 'Adobe Systems Incorporated')],
};
