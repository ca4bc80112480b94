/**
 * `npm start`: the whole system on one machine. Without DATABASE_URL it runs on an embedded PostgreSQL kept
 * under GENUINE_DATA_DIR; with it, on that server (after `npm run migrate`).
 */
import { createLogger, loadConfig, runMain, stopOnSignals } from '@genuine/kit';
import { startStack } from './stack';

runMain('Genuine', async () => {
  const config = loadConfig(process.env);
  const log = createLogger({ level: config.logLevel, name: 'genuine' });
  const stack = await startStack({ config, log });
  // An operator's GENUINE_ADMIN_TOKEN is never echoed (stdout ends up in log collectors); only the development
  // token this process made under GENUINE_DATA_DIR is shown, so a newcomer can call the API.
  const shownAdminToken = config.adminToken ? '$GENUINE_ADMIN_TOKEN' : stack.adminToken;
  const example = (token: string) =>
    `  try: curl -s ${stack.graphqlUrl} -H "authorization: Bearer ${token}" -H 'content-type: application/json' -d '{"query":"{ orgUnit(code: \\"nanxun\\") { name children { code name } } }"}'`;
  const lines = [
    '',
    `Genuine is running: ${stack.graphqlUrl}`,
    `  database: ${stack.embedded ? `embedded PostgreSQL under ${config.dataDir}` : 'PostgreSQL at DATABASE_URL'}`,
    shownAdminToken ? `  admin token: ${shownAdminToken}` : '  no admin token (set GENUINE_ADMIN_TOKEN)',
    ...(stack.demoTokens.length ? ['  demo tokens (role, scope):', ...stack.demoTokens.map((t) => `    ${t.role.padEnd(13)} ${t.unit.padEnd(17)} ${t.token}`)] : []),
    shownAdminToken ? example(shownAdminToken) : '',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  stopOnSignals(() => stack.stop(), log);
});
