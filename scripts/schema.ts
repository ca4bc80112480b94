import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildAuditSchema } from '@genuine/audit';
import { composeSupergraph } from '@genuine/gateway/src/composition';
import { buildRegistrySchema } from '@genuine/registry';

export const schemaDir = path.resolve(__dirname, '../schema');

/** The schema files as the code generates them: each subgraph's SDL and the composed supergraph. */
export async function generateSchemaFiles(): Promise<Record<string, string>> {
  const registry = (await buildRegistrySchema()).sdl;
  const audit = (await buildAuditSchema()).sdl;
  const { supergraphSdl } = composeSupergraph([
    { name: 'registry', url: 'http://127.0.0.1:4001/graphql', sdl: registry },
    { name: 'audit', url: 'http://127.0.0.1:4002/graphql', sdl: audit },
  ]);
  return { 'registry.graphql': registry, 'audit.graphql': audit, 'supergraph.graphql': supergraphSdl };
}

/** Names of the committed schema files that differ from what the code generates. */
export function staleSchemaFiles(generated: Record<string, string>): string[] {
  return Object.entries(generated)
    .filter(([file, sdl]) => {
      const full = path.join(schemaDir, file);
      return !existsSync(full) || readFileSync(full, 'utf8') !== sdl;
    })
    .map(([file]) => file);
}

if (require.main === module) {
  generateSchemaFiles()
    .then((files) => {
      for (const [file, sdl] of Object.entries(files)) writeFileSync(path.join(schemaDir, file), sdl);
      console.log(`wrote ${Object.keys(files).map((f) => `schema/${f}`).join(', ')}`);
    })
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
