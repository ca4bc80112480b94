import { registerEnumType } from 'type-graphql';

/*
 * The shared vocabulary of the public contract (DESIGN → Contract). Both subgraphs expose these enums, and
 * federation requires them to be identical, so they are defined once here rather than copied per service.
 */

export enum SoftwareCategory {
  OPERATING_SYSTEM = 'OPERATING_SYSTEM',
  OFFICE = 'OFFICE',
  ANTIVIRUS = 'ANTIVIRUS',
  DATABASE = 'DATABASE',
  DESIGN = 'DESIGN',
  DEVELOPMENT = 'DEVELOPMENT',
  OTHER = 'OTHER',
}
registerEnumType(SoftwareCategory, {
  name: 'SoftwareCategory',
  description: 'What kind of software a product is; compliance is reported per category.',
  valuesConfig: {
    OPERATING_SYSTEM: { description: 'Operating systems.' },
    OFFICE: { description: 'Office suites.' },
    ANTIVIRUS: { description: 'Antivirus and endpoint protection.' },
    DATABASE: { description: 'Database servers and tools.' },
    DESIGN: { description: 'Design, CAD and publishing tools.' },
    DEVELOPMENT: { description: 'Development tools.' },
    OTHER: { description: 'Anything else.' },
  },
});

/** The categories a machine must be licensed in to count as fully licensed (DESIGN rule 5). */
export const TRACKED_CATEGORIES = [SoftwareCategory.OPERATING_SYSTEM, SoftwareCategory.OFFICE, SoftwareCategory.ANTIVIRUS];

export enum MachineKind {
  DESKTOP = 'DESKTOP',
  LAPTOP = 'LAPTOP',
  SERVER = 'SERVER',
  VIRTUAL = 'VIRTUAL',
}
registerEnumType(MachineKind, {
  name: 'MachineKind',
  description: 'The form of a machine.',
  valuesConfig: {
    DESKTOP: { description: 'A desktop computer.' },
    LAPTOP: { description: 'A portable computer.' },
    SERVER: { description: 'A physical server.' },
    VIRTUAL: { description: 'A virtual machine.' },
  },
});

export enum ComplianceStatus {
  LICENSED = 'LICENSED',
  UNLICENSED = 'UNLICENSED',
  MISSING = 'MISSING',
}
registerEnumType(ComplianceStatus, {
  name: 'ComplianceStatus',
  description: "A machine's standing in one category (DESIGN rule 3).",
  valuesConfig: {
    LICENSED: { description: 'Every licensable install of the category is covered.' },
    UNLICENSED: { description: 'At least one licensable install of the category is not covered.' },
    MISSING: { description: 'Nothing of the category is installed.' },
  },
});

export enum LicenseMetric {
  PER_DEVICE = 'PER_DEVICE',
  PER_USER = 'PER_USER',
  SITE = 'SITE',
  CONCURRENT = 'CONCURRENT',
  PER_CORE = 'PER_CORE',
}
registerEnumType(LicenseMetric, {
  name: 'LicenseMetric',
  description: 'What one seat of an entitlement counts.',
  valuesConfig: {
    PER_DEVICE: { description: 'One seat per machine.' },
    PER_USER: { description: 'One seat per person, on any of their machines.' },
    SITE: { description: 'Unlimited use inside the owning unit and its descendants.' },
    CONCURRENT: { description: 'Seats in simultaneous use.' },
    PER_CORE: { description: 'Seats per processor core.' },
  },
});

export enum Allocation {
  ASSIGNED = 'ASSIGNED',
  POOLED = 'POOLED',
}
registerEnumType(Allocation, {
  name: 'Allocation',
  description: "How an entitlement's seats are consumed.",
  valuesConfig: {
    ASSIGNED: { description: 'Seats are held only through explicit assignments to machines or people.' },
    POOLED: { description: "Seats are consumed automatically by installs inside the owning unit's subtree." },
  },
});

export enum EntitlementType {
  PERPETUAL = 'PERPETUAL',
  SUBSCRIPTION = 'SUBSCRIPTION',
  OEM = 'OEM',
  VOLUME = 'VOLUME',
}
registerEnumType(EntitlementType, {
  name: 'EntitlementType',
  description: 'The commercial form of an entitlement.',
  valuesConfig: {
    PERPETUAL: { description: 'Bought once, valid without end unless a date says otherwise.' },
    SUBSCRIPTION: { description: 'Valid for a term; renewals are new entitlements.' },
    OEM: { description: 'Came with a machine and is bound to it.' },
    VOLUME: { description: 'A volume licensing agreement.' },
  },
});
