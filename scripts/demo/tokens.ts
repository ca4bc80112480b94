import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Role, systemActor, type Logger } from '@genuine/kit';
import { createRegistryContext } from '@genuine/registry';

/** One demo token per role, each scoped to a unit of the demo, so every permission can be tried at once. */
export const demoTokenScopes: ReadonlyArray<{ role: Role; unit: string }> = [
  { role: Role.ADMIN, unit: 'nanxun' },
  { role: Role.ASSET_MANAGER, unit: 'nanxun' },
  { role: Role.FINANCE, unit: 'luonan' },
  { role: Role.AUDITOR, unit: 'luonan' },
  { role: Role.VIEWER, unit: 'nanxun-shuanglin' },
  { role: Role.AGENT, unit: 'nanxun' },
];

export interface DemoToken {
  role: Role;
  unit: string;
  token: string;
}

/**
 * Creates the demo tokens through the registry's token service on the first start and keeps them (mode 600)
 * under GENUINE_DATA_DIR so that later starts can print them again; tokens are stored hashed, so the file is the
 * only place they can be read back from.
 */
export async function ensureDemoTokens(registryOrm: MikroORM, dataDir: string, log: Logger): Promise<DemoToken[]> {
  const file = path.resolve(dataDir, 'demo-tokens.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DemoToken[];
  const ctx = createRegistryContext({ em: registryOrm.em.fork(), actor: systemActor, requestId: 'demo-tokens', log });
  const tokens: DemoToken[] = [];
  for (const { role, unit } of demoTokenScopes) {
    const { token } = await ctx.services.apiTokens.create(systemActor, { name: `Demo ${role.toLowerCase()} (${unit})`, role, orgUnitCode: unit });
    tokens.push({ role, unit, token });
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return tokens;
}
