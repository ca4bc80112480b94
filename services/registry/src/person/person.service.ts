import { randomUUID } from 'node:crypto';
import { conflict, forbidden, isUniqueViolation, notFound, type Actor } from '@genuine/kit';
import { HistoryRepository } from '../history/history.repository';
import { isUuid } from '../ids';
import type { OrgUnitService, ServiceDeps } from '../org-unit/org-unit.service';
import type { PersonLoaders } from './person.loader';
import { canOnPerson } from './person.policy';
import { PersonRepository, type PersonRecord } from './person.repository';

export interface CreatePersonCommand {
  orgUnitCode: string;
  name: string;
  employeeNumber?: string | null;
  email?: string | null;
}

/** People of the units: operators of machines and holders of per-user seats. */
export class PersonService {
  private readonly repository: PersonRepository;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly loaders: PersonLoaders,
    private readonly orgUnits: OrgUnitService,
  ) {
    this.repository = new PersonRepository(deps.em);
  }

  async getById(actor: Actor, id: string): Promise<PersonRecord | null> {
    if (!canOnPerson(actor, 'read') || !isUuid(id)) return null;
    const person = await this.loaders.byId.load(id);
    return person && (await this.orgUnits.getById(actor, person.orgUnitId)) ? person : null;
  }

  /** A person for a single read: FORBIDDEN for a role that may not read, NOT_FOUND when missing or outside the scope. */
  async require(actor: Actor, id: string): Promise<PersonRecord> {
    if (!canOnPerson(actor, 'read')) throw forbidden();
    const person = await this.getById(actor, id);
    if (!person) throw notFound('Person');
    return person;
  }

  async list(actor: Actor, filter: { orgUnitCode?: string | null; includeDescendants?: boolean | null; search?: string | null }, first: number, after: [string, string] | null) {
    if (!canOnPerson(actor, 'read')) throw forbidden();
    const root = filter.orgUnitCode ? (await this.orgUnits.getByCode(actor, filter.orgUnitCode)).id : actor.scopeUnitId;
    const query = { rootUnitId: root, includeDescendants: filter.includeDescendants ?? true, search: filter.search?.trim() || null };
    const rows = await this.repository.list(query, after, first + 1);
    return { items: rows.slice(0, first), hasNextPage: rows.length > first, totalCount: () => this.repository.count(query) };
  }

  /** A person of a unit; within a unit a name is unique (CONFLICT otherwise), as is an employee number overall. */
  async create(actor: Actor, command: CreatePersonCommand): Promise<PersonRecord> {
    if (!canOnPerson(actor, 'manage')) throw forbidden('Your role cannot manage people');
    const unit = await this.orgUnits.getByCode(actor, command.orgUnitCode);
    return this.deps.em.transactional(async (tx) => {
      const id = randomUUID();
      await tx
        .execute(`insert into registry.person (id, org_unit_id, name, employee_number, email) values (?, ?, ?, ?, ?)`, [
          id,
          unit.id,
          command.name.trim(),
          command.employeeNumber ?? null,
          command.email ?? null,
        ])
        .catch((err: unknown) => {
          throw isUniqueViolation(err) ? conflict(`${command.name} already exists in ${command.orgUnitCode}, or the employee number is taken`) : err;
        });
      const [person] = await new PersonRepository(tx).findByIds([id]);
      await new HistoryRepository(tx).recordEvent(actor, this.deps.requestId, { action: 'person.create', entity: 'person', entityId: id, after: { ...person }, orgUnitIds: [unit.id] });
      return person;
    });
  }
}
