import type { CheckResult, DoctorCheck } from './types.js';

/** Settings that leave autodev doing nothing, or that do nothing themselves. */
export const settingsCheck: DoctorCheck = {
  name: 'settings',
  async run({ config }) {
    const results: CheckResult[] = [];
    if (config.allowlist_repos.length === 0) {
      results.push({
        name: 'allowlist',
        status: 'warn',
        message:
          'no repository is allowed (the default), so every task is refused: list the repositories autodev may act on in [autodev] allowlist_repos or AUTODEV_ALLOWED_REPOS',
      });
    } else {
      results.push({ name: 'allowlist', status: 'ok', message: config.allowlist_repos.join(', ') });
    }
    if (config.sandbox_image !== undefined && config.sandbox !== 'docker') {
      results.push({
        name: 'sandbox_image',
        status: 'warn',
        message: `sandbox_image = "${config.sandbox_image}" does nothing with sandbox = "${config.sandbox}": remove it, or set [autodev] sandbox = "docker"`,
      });
    }
    if (!config.enabled) {
      results.push({
        name: 'enabled',
        status: 'warn',
        message:
          'autodev is disabled: no task is accepted; set [autodev] enabled = true or AUTODEV_ENABLED=true',
      });
    }
    return results;
  },
};
