/**
 * The program that runs first inside a setup sandbox with network (CommonJS, for the host's node):
 * it listens on 127.0.0.1:<port> in the sandbox's own network namespace, relays each connection to
 * the filtering proxy's unix socket bound into the sandbox, and runs the setup command as its child,
 * exiting with the child's status. Kept as text so it needs no build step of its own; argv:
 * `forwarder.cjs <socket> <port> <program> [args...]`.
 */
export const FORWARDER_SOURCE = String.raw`'use strict';
const net = require('node:net');
const os = require('node:os');
const { spawn } = require('node:child_process');
const [socketPath, port, program, ...args] = process.argv.slice(2);
const relay = net.createServer((client) => {
  const upstream = net.connect(socketPath);
  const end = () => { client.destroy(); upstream.destroy(); };
  client.on('error', end);
  upstream.on('error', end);
  client.on('close', end);
  upstream.on('close', end);
  client.pipe(upstream);
  upstream.pipe(client);
});
relay.on('error', (error) => {
  process.stderr.write('autodev: the network relay could not listen: ' + error.message + '\n');
  process.exit(125);
});
relay.listen(Number(port), '127.0.0.1', () => {
  const child = spawn(program, args, { stdio: 'inherit' });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => {
    process.stderr.write('autodev: ' + program + ': ' + error.message + '\n');
    process.exit(127);
  });
  child.on('exit', (code, signal) => {
    process.exit(code === null ? 128 + (os.constants.signals[signal] || 0) : code);
  });
});
`;
