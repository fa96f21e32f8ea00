import type { HealthReport } from '../doctor/index.js';
import type { Logger } from '../logging/logger.js';

/** One log line per check that is not ok (warn or error, naming what to change), then the summary. */
export function logHealth(log: Logger, report: HealthReport): void {
  for (const check of report.checks) {
    if (check.status === 'fail') log.error({ check: check.name }, `self-check failed: ${check.message}`);
    else if (check.status === 'warn') log.warn({ check: check.name }, `self-check: ${check.message}`);
  }
  log.info(
    { health: report.status, checks: report.checks.map((c) => `${c.name}:${c.status}`) },
    'self-check done (GET /api/v1/autodev/health, autodev doctor)',
  );
}
