import { readFileSync } from 'node:fs';
import path from 'node:path';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';

export interface SubgraphSdl {
  name: string;
  /** The URL written into the supergraph; the gateway replaces it with the configured one at start. */
  url: string;
  sdl: string;
}

/** Composes the subgraphs into a federation 2 supergraph; throws with every composition error. */
export function composeSupergraph(subgraphs: SubgraphSdl[]): { supergraphSdl: string; publicSdl: string } {
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
  if (result.errors) {
    throw new Error(`Supergraph composition failed:\n${result.errors.map((e) => `  - ${e.message}`).join('\n')}`);
  }
  return { supergraphSdl: result.supergraphSdl, publicSdl: result.publicSdl };
}

/** Points each subgraph of a supergraph at its runtime URL (`@join__graph(name: ..., url: ...)`). */
export function withSubgraphUrls(supergraphSdl: string, urls: Record<string, string>): string {
  return supergraphSdl.replace(/@join__graph\(name: "([^"]+)", url: "([^"]*)"\)/g, (whole, name: string) => {
    const url = urls[name];
    return url ? `@join__graph(name: "${name}", url: ${JSON.stringify(url)})` : whole;
  });
}

/** The committed supergraph the gateway serves (composed at build time by `npm run schema`). */
export function loadSupergraph(): string {
  return readFileSync(path.resolve(__dirname, '../../../schema/supergraph.graphql'), 'utf8');
}
