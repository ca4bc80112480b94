import DataLoader from 'dataloader';
import { REQUEST_ID_HEADER, type Logger, type MachineKind } from '@genuine/kit';
import { AgentRefusal } from './agent-refusal';

/** A machine to register in the registry, as `RegisterMachineInput` takes it. */
export interface MachineRegistration {
  orgUnitCode: string;
  hostname: string | null;
  serialNumber: string | null;
  uuid: string | null;
  kind: MachineKind;
  operator: string | null;
}

/**
 * Registers machines in the registry on behalf of an agent, with the agent's own token, and returns their ids.
 * Idempotent: a machine the registry already knows by uuid, serial or hostname within the unit comes back as is.
 */
export interface MachineRegistrar {
  register(token: string, requestId: string, machine: MachineRegistration): Promise<string>;
}

interface RegistryError {
  message: string;
  extensions?: { code?: string };
}
interface RegistryResponse<T> {
  data?: T | null;
  errors?: RegistryError[];
}

/** Most machines in one `registerMachines` call (the registry's own limit). */
export const MAX_REGISTRATION_BATCH = 500;
const REGISTRY_TIMEOUT_MS = 10_000;

const REGISTER_MANY = `mutation RegisterReportedMachines($machines: [RegisterMachineInput!]!) {
  registerMachines(input: { machines: $machines }) { id }
}`;
const REGISTER_ONE = `mutation RegisterReportedMachine($machine: RegisterMachineInput!) {
  registerMachine(input: $machine) { id }
}`;

/**
 * The registry's GraphQL API over HTTP (DESIGN → Ownership rules: the audit service never writes registry
 * tables). Registrations arriving within a few milliseconds with the same token go out as one `registerMachines`
 * call of up to 500 machines, so a fleet's first inventories cost a handful of registry round trips, not one per
 * machine. When a batch fails as a whole (one bad machine, or a registry without `registerMachines`), each
 * machine is retried alone with `registerMachine`, so one failure is reported to its own agent only.
 *
 * The pending batches are transient (milliseconds) and per process; nothing here is state two replicas could
 * disagree on.
 */
export class HttpMachineRegistrar implements MachineRegistrar {
  private readonly batches = new Map<string, DataLoader<{ requestId: string; machine: MachineRegistration }, string>>();

  constructor(
    private readonly registryUrl: string,
    private readonly log: Logger,
    private readonly batchWindowMs = 2,
  ) {}

  register(token: string, requestId: string, machine: MachineRegistration): Promise<string> {
    let loader = this.batches.get(token);
    if (!loader) {
      const batchLoader: DataLoader<{ requestId: string; machine: MachineRegistration }, string> = new DataLoader(
        async (items) => {
          if (this.batches.get(token) === batchLoader) this.batches.delete(token);
          return this.registerBatch(token, items);
        },
        { cache: false, maxBatchSize: MAX_REGISTRATION_BATCH, batchScheduleFn: (run) => setTimeout(run, this.batchWindowMs) },
      );
      loader = batchLoader;
      this.batches.set(token, loader);
    }
    return loader.load({ requestId, machine });
  }

  private async registerBatch(token: string, items: ReadonlyArray<{ requestId: string; machine: MachineRegistration }>): Promise<Array<string | Error>> {
    const requestId = items[0]?.requestId ?? 'ingest';
    if (items.length > 1) {
      try {
        const response = await this.post<{ registerMachines: Array<{ id: string }> }>(token, requestId, REGISTER_MANY, {
          machines: items.map((i) => i.machine),
        });
        const ids = response.data?.registerMachines;
        if (!response.errors?.length && ids && ids.length === items.length) return ids.map((m) => m.id);
        this.log.debug({ errors: response.errors }, 'batch registration failed; registering one by one');
      } catch (err) {
        if (err instanceof AgentRefusal && err.status !== 502) return items.map(() => err);
        this.log.warn({ err }, 'batch registration failed; registering one by one');
      }
    }
    return Promise.all(items.map((item) => this.registerOne(token, item.requestId, item.machine).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))))));
  }

  private async registerOne(token: string, requestId: string, machine: MachineRegistration): Promise<string> {
    const response = await this.post<{ registerMachine: { id: string } }>(token, requestId, REGISTER_ONE, { machine });
    const id = response.data?.registerMachine?.id;
    if (id && !response.errors?.length) return id;
    throw refusalFor(response.errors?.[0]);
  }

  private async post<T>(token: string, requestId: string, query: string, variables: Record<string, unknown>): Promise<RegistryResponse<T>> {
    let response: Response;
    try {
      response = await fetch(this.registryUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          authorization: `Bearer ${token}`,
          [REQUEST_ID_HEADER]: requestId,
        },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(REGISTRY_TIMEOUT_MS),
      });
    } catch (err) {
      this.log.error({ err }, 'registry unreachable');
      throw new AgentRefusal(502, 'REGISTRY_UNAVAILABLE', 'The registry could not be reached to register the machine; send the inventory again later');
    }
    if (response.status === 401) throw new AgentRefusal(403, 'REGISTRY_REFUSED_TOKEN', 'The registry does not accept this token');
    let body: RegistryResponse<T>;
    try {
      body = (await response.json()) as RegistryResponse<T>;
    } catch {
      throw new AgentRefusal(502, 'REGISTRY_UNAVAILABLE', `The registry answered ${response.status} without a GraphQL response; send the inventory again later`);
    }
    return body;
  }
}

/** The registry's closed error codes, as an agent should hear them. */
function refusalFor(error: RegistryError | undefined): AgentRefusal {
  const message = error?.message ?? 'no reason given';
  switch (error?.extensions?.code) {
    case 'FORBIDDEN':
    case 'UNAUTHENTICATED':
      return new AgentRefusal(403, 'REGISTRATION_FORBIDDEN', `The registry refused to register the machine with this token: ${message}`);
    case 'BAD_USER_INPUT':
    case 'NOT_FOUND':
      return new AgentRefusal(422, 'REGISTRATION_INVALID', `The registry refused the machine: ${message}`);
    case 'CONFLICT':
      return new AgentRefusal(409, 'MACHINE_CONFLICT', `The registry refused the machine: ${message}`);
    default:
      return new AgentRefusal(502, 'REGISTRY_UNAVAILABLE', 'The registry could not register the machine; send the inventory again later');
  }
}
