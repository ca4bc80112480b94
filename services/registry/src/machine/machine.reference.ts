import type { RegistryContext } from '../context';
import { toMachineType, type MachineType } from './machine.type';

/** Resolves `Machine` references from other subgraphs through the request's loader, within the caller's scope. */
export async function resolveMachineReference(reference: { id: string }, ctx: RegistryContext): Promise<MachineType | null> {
  const machine = await ctx.services.machines.getById(ctx.actor, reference.id);
  return machine ? toMachineType(machine) : null;
}
