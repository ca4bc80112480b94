/* eslint-disable no-restricted-properties -- a probe run by the container engine, outside the app and its config */
// Container health check: GET <path> (default /healthz) on 127.0.0.1:<port>. Without a port it tries the ports of
// all three services and passes when one answers: a container runs one service, so the one that answers is it.
// Usage: node infra/docker/healthcheck.mjs [port] [path]
const [portArg, path = '/healthz'] = process.argv.slice(2);
const env = process.env;
const ports = portArg ? [portArg] : [env.PORT ?? '4000', env.REGISTRY_PORT ?? '4001', env.AUDIT_PORT ?? '4002'];
for (const port of ports) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2500) });
    if (res.ok) process.exit(0);
  } catch {
    // not this port; try the next one
  }
}
process.exit(1);
