import type { HostEnv } from '../../sandbox/env.js';
import { hostToolEnv } from '../../sandbox/host-tool-env.js';

/**
 * Where the package clients read their registry configuration from, besides their files under HOME:
 * their own variables (npm_config_registry, PIP_INDEX_URL, UV_DEFAULT_INDEX, GOPROXY, CARGO_REGISTRIES_*), the
 * toolchain managers that pick the client (pyenv, rustup), XDG folders, CA bundles and proxies.
 */
const CLIENT_NAMES = [
  'XDG_CONFIG_HOME',
  'XDG_CACHE_HOME',
  'XDG_DATA_HOME',
  'VIRTUAL_ENV',
  // uv's index (not the UV_ prefix: UV_INDEX_<NAME>_PASSWORD is a credential).
  'UV_DEFAULT_INDEX',
  'UV_INDEX_URL',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'NODE_EXTRA_CA_CERTS',
  'REQUESTS_CA_BUNDLE',
  'CURL_CA_BUNDLE',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'all_proxy',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'ALL_PROXY',
] as const;
const CLIENT_PREFIXES = [
  'npm_config_',
  'YARN_',
  'COREPACK_',
  'PIP_',
  'PYTHON',
  'PYENV_',
  'GO',
  'CARGO_',
  'RUSTUP_',
];

/**
 * The environment a package client runs in on the host to say where its registry is: the clients'
 * own configuration, never the server's credentials (the model's key, the forge token) nor a
 * registry token (npm_config_//host/:_authToken): reading a registry's address needs none of them.
 */
export function registryClientEnv(hostEnv: HostEnv): Record<string, string> {
  return hostToolEnv(hostEnv, { names: CLIENT_NAMES, prefixes: CLIENT_PREFIXES });
}
