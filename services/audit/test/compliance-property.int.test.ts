import fc from 'fast-check';
import { Allocation, SoftwareCategory, systemActor } from '@genuine/kit';
import { ComplianceWorld } from '../../../test/support/compliance';
import { registryContext } from '../../../test/support/registry';

/**
 * Rule 7: after every operation, the incrementally maintained results equal a full recompute from scratch.
 * Random sequences of inventory changes and unchanged re-inventories, purchases (assigned and pooled), seats, revocations and moves.
 */
let world: ComplianceWorld;
beforeAll(async () => {
  world = await ComplianceWorld.open();
});
afterAll(() => world.close());

type Op =
  | { kind: 'install'; machine: number; edition: number }
  | { kind: 'uninstall'; machine: number; edition: number }
  | { kind: 'reinventory'; machine: number }
  | { kind: 'buy'; unit: number; edition: number; pooled: boolean; quantity: number }
  | { kind: 'assign'; entitlement: number; machine: number }
  | { kind: 'revoke'; assignment: number }
  | { kind: 'move'; machine: number; unit: number }
  | { kind: 'retire'; entitlement: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('install' as const), machine: fc.nat(4), edition: fc.nat(3) }),
  fc.record({ kind: fc.constant('uninstall' as const), machine: fc.nat(4), edition: fc.nat(3) }),
  fc.record({ kind: fc.constant('reinventory' as const), machine: fc.nat(4) }),
  fc.record({ kind: fc.constant('buy' as const), unit: fc.nat(2), edition: fc.nat(2), pooled: fc.boolean(), quantity: fc.integer({ min: 1, max: 2 }) }),
  fc.record({ kind: fc.constant('assign' as const), entitlement: fc.nat(9), machine: fc.nat(4) }),
  fc.record({ kind: fc.constant('revoke' as const), assignment: fc.nat(9) }),
  fc.record({ kind: fc.constant('move' as const), machine: fc.nat(4), unit: fc.nat(2) }),
  fc.record({ kind: fc.constant('retire' as const), entitlement: fc.nat(9) }),
);

it('keeps incremental results equal to a full recompute after every operation', async () => {
  let sawFullyLicensed = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 4, maxLength: 8 }), async (ops) => {
      const county = await world.unit(null, 'prop-county');
      const units = [county, await world.unit(county.code, 'prop-a'), await world.unit(county.code, 'prop-b')];
      const product = await world.product(SoftwareCategory.OFFICE);
      const old = await world.edition(product.id);
      // Every machine starts with the operating system, covered by a pool of the county, a free antivirus and the
      // old office suite: one whose suite gets covered is fully licensed (all three tracked categories), and
      // uninstalling any of them takes that away again.
      const antivirus = await world.edition((await world.product(SoftwareCategory.ANTIVIRUS, false)).id);
      const os = await world.edition((await world.product(SoftwareCategory.OPERATING_SYSTEM)).id);
      const editions = [old, await world.edition(product.id, { covers: [old.id] }), os, antivirus];
      const machines = [];
      for (let i = 0; i < 5; i++) machines.push(await world.machine(units[i % 3].code));
      for (const machine of machines) {
        await world.install(machine.id, os.id);
        await world.install(machine.id, antivirus.id);
        await world.install(machine.id, old.id);
      }
      await world.entitlement(county.code, os.id, { quantity: 5, allocation: Allocation.POOLED });
      const entitlements: string[] = [];
      const assignments: string[] = [];
      const services = () => registryContext(world.registry, systemActor).services;
      await world.incremental();

      for (const [index, step] of ops.entries()) {
        try {
          switch (step.kind) {
            case 'install':
              await world.install(machines[step.machine].id, editions[step.edition].id);
              break;
            case 'uninstall':
              await world.uninstall(machines[step.machine].id, editions[step.edition].id);
              break;
            case 'reinventory':
              await world.reinventory(machines[step.machine].id);
              break;
            case 'buy': {
              const e = await world.entitlement(units[step.unit].code, editions[step.edition].id, {
                quantity: step.quantity,
                allocation: step.pooled ? Allocation.POOLED : Allocation.ASSIGNED,
              });
              entitlements.push(e.id);
              break;
            }
            case 'assign':
              if (entitlements.length) assignments.push((await world.assign(entitlements[step.entitlement % entitlements.length], { machineId: machines[step.machine].id })).id);
              break;
            case 'revoke':
              if (assignments.length) await world.revoke(assignments[step.assignment % assignments.length]);
              break;
            case 'move':
              await services().machines.move(systemActor, machines[step.machine].id, units[step.unit].code);
              break;
            case 'retire':
              if (entitlements.length) await services().entitlements.retire(systemActor, entitlements[step.entitlement % entitlements.length]);
              break;
          }
        } catch {
          // Refused operations (seat limits, pooled or retired entitlements, holders outside the owner) change nothing.
        }
        const unitIds = units.map((u) => u.id);
        const machineIds = machines.map((m) => m.id);
        await world.incremental();
        const incremental = await world.snapshot(unitIds, machineIds);
        // Every other full recompute on two backends (on a server; PGlite runs it alone either way): both must agree.
        await world.full({ splitFullRecomputeAt: index % 2 === 0 ? Number.MAX_SAFE_INTEGER : 1 });
        expect({ step, results: incremental }).toEqual({ step, results: await world.snapshot(unitIds, machineIds) });
        if ((incremental as { units: Array<{ fully_licensed: number }> }).units.some((u) => u.fully_licensed > 0)) sawFullyLicensed += 1;
      }
    }),
    { numRuns: 15, seed: 20261127, endOnFailure: true },
  );
  // The runs reached fully licensed machines, so the counts of rule 5 were compared too.
  expect(sawFullyLicensed).toBeGreaterThan(0);
}, 240_000);
