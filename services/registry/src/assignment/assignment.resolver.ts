import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { RegistryContext } from '../context';
import { EntitlementGqlType, toEntitlementType } from '../entitlement/entitlement.type';
import { MachineType, toMachineType } from '../machine/machine.type';
import { PersonType, toPersonType } from '../person/person.type';
import { AssignLicenseInput, AssignLicenseToSubtreeInput, RevokeAssignmentInput } from './assignment.input';
import { AssignmentType, BulkAssignResultType, toAssignmentType } from './assignment.type';

@Resolver(() => AssignmentType)
export class AssignmentResolver {
  @FieldResolver(() => EntitlementGqlType, { nullable: true, description: 'The entitlement; null when it lies outside your scope.' })
  async entitlement(@Root() assignment: AssignmentType, @Ctx() ctx: RegistryContext): Promise<EntitlementGqlType | null> {
    const entitlement = await ctx.services.entitlements.getById(ctx.actor, assignment.entitlementId);
    return entitlement ? toEntitlementType(entitlement) : null;
  }

  @FieldResolver(() => MachineType, { nullable: true, description: 'The machine holding the seat, if a machine holds it (and it is in your scope).' })
  async machine(@Root() assignment: AssignmentType, @Ctx() ctx: RegistryContext): Promise<MachineType | null> {
    if (!assignment.machineId) return null;
    const machine = await ctx.services.machines.getById(ctx.actor, assignment.machineId);
    return machine ? toMachineType(machine) : null;
  }

  @FieldResolver(() => PersonType, { nullable: true, description: 'The person holding the seat, if a person holds it (and is in your scope).' })
  async person(@Root() assignment: AssignmentType, @Ctx() ctx: RegistryContext): Promise<PersonType | null> {
    if (!assignment.personId) return null;
    const person = await ctx.services.people.getById(ctx.actor, assignment.personId);
    return person ? toPersonType(person) : null;
  }

  @Mutation(() => AssignmentType, { description: 'Gives one seat of an entitlement to a machine or a person; SEAT_LIMIT_EXCEEDED when no seat is free.' })
  async assignLicense(@Arg('input', () => AssignLicenseInput, { description: 'The seat to give.' }) input: AssignLicenseInput, @Ctx() ctx: RegistryContext): Promise<AssignmentType> {
    return toAssignmentType(await ctx.services.assignments.assign(ctx.actor, input));
  }

  @Mutation(() => AssignmentType, { description: 'Returns the revoked assignment, kept for history.' })
  async revokeAssignment(@Arg('input', () => RevokeAssignmentInput, { description: 'The seat to revoke.' }) input: RevokeAssignmentInput, @Ctx() ctx: RegistryContext): Promise<AssignmentType> {
    return toAssignmentType(await ctx.services.assignments.revoke(ctx.actor, input.assignmentId));
  }

  @Mutation(() => BulkAssignResultType, { description: "Gives free seats to the machines of a subtree lacking a seat of the entitlement's product, by hostname." })
  async assignLicenseToSubtree(
    @Arg('input', () => AssignLicenseToSubtreeInput, { description: 'The entitlement and the subtree.' }) input: AssignLicenseToSubtreeInput,
    @Ctx() ctx: RegistryContext,
  ): Promise<BulkAssignResultType> {
    const result = await ctx.services.assignments.assignToSubtree(ctx.actor, input);
    return Object.assign(new BulkAssignResultType(), { assigned: result.assigned.map(toAssignmentType), stillLacking: result.stillLacking });
  }
}
