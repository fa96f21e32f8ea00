import { probe } from './http-probe.js';
import type { DoctorCheck } from './types.js';

/**
 * OPA, when opa_url is set: reachable, and the policy package loaded (its data document is defined).
 * Down, every clean low-risk task is held for review (the fallback never merges): a warning at start
 * instead of silence.
 */
export const opaCheck: DoctorCheck = {
  name: 'opa',
  async run({ config, timeoutMs }) {
    const base = config.opa_url?.replace(/\/+$/, '');
    if (base === undefined) {
      return [{ name: 'opa', status: 'ok', message: 'opa_url is not set: the built-in rules decide' }];
    }
    const packagePath = config.policy_package.replaceAll('.', '/');
    const answer = await probe(`${base}/v1/data/${packagePath}`, { accept: 'application/json' }, timeoutMs);
    if (!answer.ok || answer.status >= 500) {
      const why = answer.ok ? `HTTP ${answer.status}` : answer.reason;
      return [
        {
          name: 'opa',
          status: 'warn',
          message: `OPA at ${base} does not answer (${why}): every task is held for review until it does; start OPA there, or set [autodev] opa_url / OPA_URL to where it runs (unset it for the built-in rules)`,
        },
      ];
    }
    let result: unknown;
    try {
      result = (JSON.parse(answer.text) as { result?: unknown }).result;
    } catch {
      result = undefined;
    }
    if (answer.status !== 200 || result === undefined) {
      return [
        {
          name: 'opa',
          status: 'fail',
          message: `OPA at ${base} has no policy at package ${config.policy_package} (HTTP ${answer.status}): load the policy into OPA, or set [autodev] policy_package to its package`,
        },
      ];
    }
    return [
      { name: 'opa', status: 'ok', message: `OPA at ${base} has package ${config.policy_package} loaded` },
    ];
  },
};
