import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';

/*
 * Offline checks of everything under infra/, since no container engine or cluster runs here: every YAML file
 * parses, kustomizations point at files that exist, every Kubernetes object validates against the Kubernetes
 * schemas (kubernetes-models), the CloudNativePG Cluster against a schema of the fields we use, and the compose file
 * and Dockerfile keep the properties the deployment relies on. When kubectl is installed, the production overlay is
 * rendered with its kustomize and the rendered objects are validated too.
 */
const infra = __dirname;
const root = path.resolve(infra, '..');

type Doc = Record<string, unknown> & { apiVersion?: string; kind?: string; metadata?: { name?: string } };
// Manifest shapes are checked field by field below; `any` would hide nothing the schemas do not already catch.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

function files(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return files(full, pattern);
    return pattern.test(name) ? [full] : [];
  });
}

function readYaml(file: string): Doc[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'), { merge: true });
  for (const doc of docs) {
    if (doc.errors.length) throw new Error(`${path.relative(root, file)}: ${doc.errors.map((e) => e.message).join('; ')}`);
  }
  return docs.map((d) => d.toJS() as Doc).filter((d) => d !== null);
}

function parseYamlString(text: string): Doc[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Doc)
    .filter((d) => d !== null);
}

/** The Kubernetes kinds the manifests use, each with its kubernetes-models class. */
const models: Record<string, new (data: Loose) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'batch/v1/Job': Job,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/Service': Service,
};

const quantity = z.union([z.string().regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti)?$/), z.number()]);
/** The CloudNativePG `Cluster` fields Genuine sets (postgresql.cnpg.io/v1); unknown fields are refused. */
const cnpgCluster = z
  .object({
    apiVersion: z.literal('postgresql.cnpg.io/v1'),
    kind: z.literal('Cluster'),
    metadata: z.object({ name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/), namespace: z.string().optional(), labels: z.record(z.string(), z.string()).optional() }).strict(),
    spec: z
      .object({
        instances: z.number().int().min(1),
        imageName: z.string().regex(/^[^:]+:(1[5-9]|[2-9]\d)(\.\d+)*$/, 'a PostgreSQL 15+ image'),
        primaryUpdateStrategy: z.enum(['unsupervised', 'supervised']),
        bootstrap: z.object({ initdb: z.object({ database: z.string(), owner: z.string() }).strict() }).strict(),
        postgresql: z.object({ parameters: z.record(z.string(), z.string()) }).strict(),
        storage: z.object({ size: quantity, storageClass: z.string().optional() }).strict(),
        resources: z.object({ requests: z.record(z.string(), quantity), limits: z.record(z.string(), quantity) }).strict(),
        affinity: z.object({ enablePodAntiAffinity: z.boolean(), topologyKey: z.string() }).strict(),
      })
      .strict(),
  })
  .strict();

function validateObject(doc: Doc, where: string) {
  const id = `${doc.apiVersion}/${doc.kind}`;
  if (id === 'postgresql.cnpg.io/v1/Cluster') {
    const parsed = cnpgCluster.safeParse(doc);
    if (!parsed.success) throw new Error(`${where} Cluster ${doc.metadata?.name}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return;
  }
  const Model = models[id];
  if (!Model) throw new Error(`${where}: no schema for ${id}; add its kubernetes-models class to this test`);
  try {
    new Model(doc).validate();
  } catch (err) {
    throw new Error(`${where} ${doc.kind} ${doc.metadata?.name}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const base = path.join(infra, 'k8s/base');
const production = path.join(infra, 'k8s/overlays/production');
const kustomizationFiles = files(path.join(infra, 'k8s'), /^kustomization\.ya?ml$/);

function kustomization(dir: string): Loose {
  return readYaml(path.join(dir, 'kustomization.yaml'))[0];
}

/** The objects a kustomization's `resources` list brings in, recursively (patches not applied). */
function resources(dir: string): Doc[] {
  return (kustomization(dir).resources as string[]).flatMap((entry) => {
    const target = path.resolve(dir, entry);
    return statSync(target).isDirectory() ? resources(target) : readYaml(target);
  });
}

const baseObjects = resources(base);
const byKind = (docs: Doc[], kind: string): Loose[] => docs.filter((d) => d.kind === kind);

describe('infra YAML', () => {
  const yamlFiles = files(infra, /\.ya?ml$/);

  it('finds the compose file and the Kubernetes manifests', () => {
    expect(yamlFiles.map((f) => path.relative(infra, f))).toEqual(expect.arrayContaining(['compose.yaml', 'k8s/base/kustomization.yaml', 'k8s/overlays/production/kustomization.yaml']));
  });

  it.each(yamlFiles.map((f) => [path.relative(infra, f), f]))('%s parses', (_name, file) => {
    expect(readYaml(file).length).toBeGreaterThan(0);
  });
});

describe('kustomize', () => {
  it.each(kustomizationFiles.map((f) => [path.relative(infra, f), f]))('%s refers only to files that exist', (_name, file) => {
    const k: Loose = readYaml(file)[0];
    const dir = path.dirname(file);
    const refs: string[] = [...(k.resources ?? []), ...(k.patches ?? []).map((p: { path?: string }) => p.path).filter(Boolean)];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const target = path.resolve(dir, ref);
      expect({ ref, exists: existsSync(target) && (statSync(target).isFile() || existsSync(path.join(target, 'kustomization.yaml'))) }).toEqual({ ref, exists: true });
    }
    // Only what this test understands: the rest of kustomize would go unchecked.
    expect(Object.keys(k).filter((key) => !['apiVersion', 'kind', 'namespace', 'labels', 'resources', 'images', 'patches'].includes(key))).toEqual([]);
  });

  it('the production overlay retags the image the base uses', () => {
    const images = new Set(byKind(baseObjects, 'Deployment').concat(byKind(baseObjects, 'Job')).flatMap((w) => w.spec.template.spec.containers.map((c: { image: string }) => c.image)));
    expect([...images]).toEqual(['genuine']);
    expect(kustomization(production).images).toEqual([{ name: 'genuine', newName: expect.any(String), newTag: expect.stringMatching(/^\d+\.\d+\.\d+/) }]);
  });
});

describe('Kubernetes objects', () => {
  it('every base and overlay object validates against the Kubernetes schemas (CloudNativePG Cluster: our schema)', () => {
    const overlayOwn = readYaml(path.join(production, 'namespace.yaml'));
    for (const doc of [...baseObjects, ...overlayOwn]) validateObject(doc, 'base');
    expect(byKind(baseObjects, 'Cluster')).toHaveLength(1);
  });

  it('every patch targets an object of the base', () => {
    for (const p of kustomization(production).patches as Array<{ path: string }>) {
      for (const doc of readYaml(path.join(production, p.path))) {
        expect(baseObjects.some((b) => b.kind === doc.kind && b.apiVersion === doc.apiVersion && b.metadata?.name === doc.metadata?.name)).toBe(true);
      }
    }
  });

  const deployments = byKind(baseObjects, 'Deployment');

  it('runs the three services, each probed, sized, non-root, on a read-only root filesystem', () => {
    expect(deployments.map((d) => d.spec.template.spec.containers[0].args[0]).sort()).toEqual(['audit', 'gateway', 'registry']);
    for (const d of deployments) {
      const pod = d.spec.template.spec;
      const [container] = pod.containers;
      expect(pod.containers).toHaveLength(1);
      expect(d.spec.replicas).toBeUndefined(); // the HPA owns it
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: expect.any(Number) });
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(container.readinessProbe.httpGet.path).toBe('/readyz');
      expect(container.livenessProbe.httpGet.path).toBe('/healthz');
      expect(container.resources.requests).toEqual({ cpu: expect.anything(), memory: expect.anything() });
      expect(container.resources.limits.memory).toBeDefined();
      expect(container.envFrom).toEqual([{ configMapRef: { name: 'genuine-config' } }, { secretRef: { name: 'genuine-secrets' } }]);
    }
  });

  it('points DATABASE_URL at the primary and DATABASE_READ_URL at the replicas of the CloudNativePG cluster', () => {
    const [cluster] = byKind(baseObjects, 'Cluster');
    expect(cluster.spec.instances).toBe(3);
    const env = (name: string, workload: Loose) => workload.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === name)?.value;
    const workloads = [...deployments, ...byKind(baseObjects, 'Job')];
    for (const w of workloads) expect(env('DATABASE_URL', w)).toMatch(new RegExp(`@${cluster.metadata.name}-rw:5432/${cluster.spec.bootstrap.initdb.database}$`));
    for (const w of deployments.filter((d) => d.metadata.name !== 'genuine-gateway')) {
      expect(env('DATABASE_READ_URL', w)).toMatch(new RegExp(`@${cluster.metadata.name}-ro:5432/`));
    }
    for (const w of workloads) {
      const fromSecret = w.spec.template.spec.containers[0].env.filter((e: Loose) => e.valueFrom).map((e: Loose) => e.valueFrom.secretKeyRef.name);
      expect(new Set(fromSecret)).toEqual(new Set([`${cluster.metadata.name}-app`]));
    }
  });

  it('exposes only the gateway: ClusterIP Services, one Ingress to the gateway', () => {
    for (const s of byKind(baseObjects, 'Service')) expect(s.spec.type).toBe('ClusterIP');
    const backends = byKind(baseObjects, 'Ingress').flatMap((i) => i.spec.rules.flatMap((r: Loose) => r.http.paths.map((p: Loose) => p.backend.service.name)));
    expect(new Set(backends)).toEqual(new Set(['genuine-gateway']));
  });

  it('gives every Deployment an autoscaler and a disruption budget, and runs migrations as a Job', () => {
    for (const d of deployments) {
      const labels = d.spec.selector.matchLabels;
      expect(d.spec.template.metadata.labels).toMatchObject(labels);
      const hpa = byKind(baseObjects, 'HorizontalPodAutoscaler').find((h) => h.spec.scaleTargetRef.name === d.metadata.name);
      expect(hpa?.spec).toMatchObject({ scaleTargetRef: { kind: 'Deployment' }, minReplicas: expect.any(Number) });
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
      const pdb = byKind(baseObjects, 'PodDisruptionBudget').find((p) => JSON.stringify(p.spec.selector.matchLabels) === JSON.stringify(labels));
      expect(pdb).toBeDefined();
      const service = byKind(baseObjects, 'Service').find((s) => JSON.stringify(s.spec.selector) === JSON.stringify(labels));
      expect(service?.spec.ports[0].targetPort).toBe(d.spec.template.spec.containers[0].ports[0].name);
    }
    const [job] = byKind(baseObjects, 'Job');
    expect(job.spec.template.spec.containers[0].args).toEqual(['migrate']);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
  });

  it('keeps only placeholders in the base Secret, too short to pass start-up validation', () => {
    const [secret] = byKind(baseObjects, 'Secret');
    for (const value of Object.values(secret.stringData as Record<string, string>)) expect(value).toBe('REPLACE_ME');
  });

  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
  (kubectl ? it : it.skip)('renders the production overlay with kubectl kustomize into valid objects', () => {
    const rendered = parseYamlString(execFileSync('kubectl', ['kustomize', production], { encoding: 'utf8' }));
    for (const doc of rendered) validateObject(doc, 'production');
    const namespaced = rendered.filter((d) => d.kind !== 'Namespace');
    for (const doc of namespaced) expect(`${doc.kind}/${(doc.metadata as Loose).namespace}`).toBe(`${doc.kind}/genuine`);
    expect(byKind(rendered, 'Secret')).toEqual([]);
    const images = byKind(rendered, 'Deployment').map((d) => d.spec.template.spec.containers[0].image);
    expect(new Set(images)).toEqual(new Set([`${kustomization(production).images[0].newName}:${kustomization(production).images[0].newTag}`]));
    for (const h of byKind(rendered, 'HorizontalPodAutoscaler')) expect(h.spec.minReplicas).toBeGreaterThanOrEqual(3);
  });
});

describe('compose', () => {
  const compose: Loose = readYaml(path.join(infra, 'compose.yaml'))[0];
  const services: Record<string, Loose> = compose.services;

  it('refers only to defined services and volumes', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const dep of Object.keys(service.depends_on ?? {})) expect(`${name} -> ${dep}: ${dep in services}`).toBe(`${name} -> ${dep}: true`);
      for (const volume of service.volumes ?? []) {
        const source = String(volume).split(':')[0];
        if (!source.startsWith('.') && !source.startsWith('/')) expect(Object.keys(compose.volumes ?? {})).toContain(source);
      }
    }
  });

  it('runs PostgreSQL 15+ with a volume, migrations once before the services, and a health check everywhere', () => {
    expect(services.postgres.image).toMatch(/^postgres:(1[5-9]|[2-9]\d)/);
    expect(services.postgres.volumes).toEqual(['pgdata:/var/lib/postgresql/data']);
    expect(services.migrate.command).toEqual(['migrate']);
    expect(services.migrate.restart).toBe('no');
    for (const name of ['registry', 'audit']) expect(services[name].depends_on).toEqual({ migrate: { condition: 'service_completed_successfully' } });
    expect(services.gateway.depends_on).toEqual({ registry: { condition: 'service_healthy' }, audit: { condition: 'service_healthy' } });
    for (const [name, service] of Object.entries(services)) {
      // A one-shot job has nothing to probe; it says so explicitly and others wait for its exit instead.
      if (name === 'migrate') expect(service.healthcheck).toEqual({ disable: true });
      else expect(service.healthcheck.test.length).toBeGreaterThan(0);
    }
  });

  it('publishes only the gateway port and takes secrets from the environment', () => {
    expect(Object.entries(services).filter(([, s]) => s.ports).map(([name]) => name)).toEqual(['gateway']);
    const text = readFileSync(path.join(infra, 'compose.yaml'), 'utf8');
    expect(text).toMatch(/GENUINE_ADMIN_TOKEN: \$\{GENUINE_ADMIN_TOKEN:\?/);
    expect(text).toMatch(/POSTGRES_PASSWORD: \$\{POSTGRES_PASSWORD:\?/);
    for (const name of ['registry', 'audit', 'gateway', 'migrate']) expect(services[name].build.dockerfile).toBe('infra/docker/Dockerfile');
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(path.join(infra, 'docker/Dockerfile'), 'utf8');
  const instructions = dockerfile.split('\n').filter((line) => /^[A-Z]+\s/.test(line));

  it('builds in stages from the lockfile and runs as a numeric non-root user with a health check', () => {
    expect(instructions.filter((l) => l.startsWith('FROM ')).length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/COPY package\.json package-lock\.json/);
    const users = instructions.filter((l) => l.startsWith('USER '));
    expect(users).toHaveLength(1);
    expect(users[0]).toMatch(/^USER [1-9]\d*(:[1-9]\d*)?$/);
    expect(instructions.some((l) => l.startsWith('HEALTHCHECK '))).toBe(true);
    expect(existsSync(path.join(infra, 'docker/Dockerfile.dockerignore'))).toBe(true);
  });

  it('has an entry point for each part, and refuses anything else', () => {
    const entrypoint = path.join(infra, 'docker/entrypoint.sh');
    expect(spawnSync('sh', ['-n', entrypoint]).status).toBe(0);
    const text = readFileSync(entrypoint, 'utf8');
    expect(text).toContain('registry | audit | gateway) exec node -r @swc-node/register "services/$part/src/main.ts"');
    expect(text).toContain('migrate) exec node -r @swc-node/register scripts/migrate.ts');
    for (const part of ['registry', 'audit', 'gateway']) expect(existsSync(path.join(root, `services/${part}/src/main.ts`))).toBe(true);
    expect(spawnSync('sh', [entrypoint, 'nonsense'], { encoding: 'utf8' }).status).toBe(64);
  });

  it('runs on the production dependencies alone (what `npm ci --omit=dev` installs)', () => {
    const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages)
      .filter(([key, p]) => key.startsWith('node_modules/') && p.dev)
      .map(([key]) => path.join(root, key) + path.sep);
    // Loads what each entry point loads, failing on any module that resolves into a dev-only package.
    const probe = `
      const Module = require('node:module');
      const devOnly = JSON.parse(process.env.DEV_ONLY);
      const resolve = Module._resolveFilename;
      Module._resolveFilename = function (request, ...rest) {
        const file = resolve.call(this, request, ...rest);
        if (devOnly.some((dir) => file.startsWith(dir))) throw new Error('dev-only dependency loaded at run time: ' + request);
        return file;
      };
      for (const m of ['./services/registry/src/server', './services/audit/src/server', './services/gateway/src/index', './scripts/migrations']) require(m);
    `;
    const result = spawnSync(process.execPath, ['-r', '@swc-node/register', '-e', probe], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DEV_ONLY: JSON.stringify(devOnly) },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, 70_000);
});
