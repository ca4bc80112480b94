/**
 * PostGraphile 4 needs graphql 15; npm placed a graphql 15 under `postgraphile/` and `graphile-build-pg/` but left
 * `graphile-build` and friends resolving the project's graphql 16, and two graphql realms in one schema fail
 * ("Cannot use GraphQLNonNull from another module or realm"). In the baseline's own process only, every
 * `require('graphql…')` is sent to PostGraphile's copy. Import this before `postgraphile`.
 */
import Module from 'node:module';
import path from 'node:path';

const graphql15 = path.dirname(require.resolve('graphql/package.json', { paths: [path.dirname(require.resolve('postgraphile/package.json'))] }));
const resolver = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const resolve = resolver._resolveFilename;
resolver._resolveFilename = function resolveGraphql15(request: string, ...rest: unknown[]) {
  const redirected = request === 'graphql' || request.startsWith('graphql/') ? graphql15 + request.slice('graphql'.length) : request;
  return resolve.call(this, redirected, ...rest);
};
