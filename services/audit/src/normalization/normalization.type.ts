import { Field, ID, Int, ObjectType } from 'type-graphql';
import { ConnectionType, DateTimeScalar } from '@genuine/kit';
import { EditionStub, editionStub } from '../edition/edition.type';
import type { RuleRecord, UnrecognizedTitleRecord } from './normalization.repository';
import type { ReplayResult } from './normalization.service';

@ObjectType('NormalizationRule', {
  description: 'Maps raw titles to a catalogue edition, or marks them IGNORE, by case-insensitive patterns; the highest priority matching rule wins.',
})
export class NormalizationRuleType {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'Key of the rule in the shipped default set; null for rules users added.' })
  key!: string | null;

  @Field(() => String, { nullable: true, description: 'Regular expression on the title name; null matches anything.' })
  namePattern!: string | null;

  @Field(() => String, { nullable: true, description: 'Regular expression on the publisher; null matches anything.' })
  publisherPattern!: string | null;

  @Field(() => String, { nullable: true, description: 'Regular expression on the version; null matches anything.' })
  versionPattern!: string | null;

  @Field(() => EditionStub, { nullable: true, description: 'The edition matching titles are; null for IGNORE rules.' })
  edition!: EditionStub | null;

  @Field(() => Boolean, { description: 'True when matching titles are not licensing-relevant (updates, drivers, runtimes).' })
  ignore!: boolean;

  @Field(() => Int, { description: 'Higher wins when several rules match.' })
  priority!: number;

  @Field(() => DateTimeScalar, { description: 'When the rule was added.' })
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the rule was removed; removed rules decide nothing.' })
  removedAt!: Date | null;
}

export function toNormalizationRuleType(record: RuleRecord): NormalizationRuleType {
  return Object.assign(new NormalizationRuleType(), {
    id: record.id,
    key: record.key,
    namePattern: record.namePattern,
    publisherPattern: record.publisherPattern,
    versionPattern: record.versionPattern,
    edition: editionStub(record.editionId),
    ignore: record.ignore,
    priority: record.priority,
    createdAt: record.createdAt,
    removedAt: record.removedAt,
  });
}

export const NormalizationRuleConnection = ConnectionType(NormalizationRuleType, 'NormalizationRuleConnection', 'normalization rule');

@ObjectType('Recognition', { description: 'What the current normalization rules make of a raw title.' })
export class RecognitionType {
  @Field(() => EditionStub, { nullable: true, description: 'The edition the title is; null when it is ignored or unrecognized.' })
  edition!: EditionStub | null;

  @Field(() => Boolean, { description: 'True when a rule marks the title IGNORE.' })
  ignored!: boolean;

  @Field(() => Boolean, { description: 'True when some rule matched; false for an unrecognized title.' })
  recognized!: boolean;

  /** The winning rule's id, resolved by the `rule` field. */
  ruleId!: string | null;
}

@ObjectType('UnrecognizedTitle', { description: 'A distinct raw title no rule matches, with how widely it is installed.' })
export class UnrecognizedTitleType {
  @Field(() => String, { description: 'Title name as reported (runs of whitespace collapsed).' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Version as reported.' })
  version!: string | null;

  @Field(() => String, { nullable: true, description: 'Publisher as reported.' })
  publisher!: string | null;

  @Field(() => Int, { description: 'How many machines in scope report it.' })
  machineCount!: number;

  @Field(() => Int, { description: 'How many installations in scope (a machine may have it for two architectures).' })
  installationCount!: number;
}

export function toUnrecognizedTitleType(record: UnrecognizedTitleRecord): UnrecognizedTitleType {
  return Object.assign(new UnrecognizedTitleType(), {
    name: record.name,
    version: record.version,
    publisher: record.publisher,
    machineCount: record.machineCount,
    installationCount: record.installationCount,
  });
}

export const UnrecognizedTitleConnection = ConnectionType(UnrecognizedTitleType, 'UnrecognizedTitleConnection', 'unrecognized title');

@ObjectType('NormalizationReplay', { description: 'The result of replaying the rules over stored titles.' })
export class NormalizationReplayType {
  @Field(() => Int, { description: 'Distinct titles examined.' })
  titlesExamined!: number;

  @Field(() => Int, { description: 'Titles whose recognition changed.' })
  titlesChanged!: number;
}

export function toNormalizationReplayType(result: ReplayResult): NormalizationReplayType {
  return Object.assign(new NormalizationReplayType(), result);
}
