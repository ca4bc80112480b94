import { Directive, Field, ID, ObjectType } from 'type-graphql';

/**
 * The registry's Edition, referenced by id only: the registry resolves its name, product and category. This
 * subgraph adds no field to it, so the stub is not resolvable here.
 */
@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('Edition', { description: 'An edition of a catalogue product (a version and packaging that can be licensed).' })
export class EditionStub {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;
}

export function editionStub(id: string | null): EditionStub | null {
  return id === null ? null : Object.assign(new EditionStub(), { id });
}
