import { redactStoreUrl, storeAddress } from '../config/store-schema.js';
import { probePostgres } from '../store/postgres-probe.js';
import { databasePath } from '../store/sqlite.js';
import type { DoctorCheck } from './types.js';

/** Where tasks live: the SQLite file, or the PostgreSQL store (reachable?), its URL shown without the password. */
export const storeCheck: DoctorCheck = {
  name: 'store',
  async run({ config, timeoutMs }) {
    const url = config.store.url;
    if (url === undefined) {
      return [{ name: 'store', status: 'ok', message: `SQLite at ${databasePath(config.dataDir)}` }];
    }
    const shown = redactStoreUrl(url);
    const problem = await probePostgres(url, timeoutMs);
    if (problem === undefined) return [{ name: 'store', status: 'ok', message: `PostgreSQL at ${shown}` }];
    const password = config.secrets.storePassword;
    const why = password === undefined ? problem : problem.replaceAll(password, '[REDACTED]');
    return [
      {
        name: 'store',
        status: 'fail',
        message: `PostgreSQL at ${storeAddress(url)} (${shown}) does not answer (${why}): start it, or set [autodev.store] url / AUTODEV_STORE_URL to where it runs`,
      },
    ];
  },
};
