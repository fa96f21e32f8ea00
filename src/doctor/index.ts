import { forgeCheck } from './forge.js';
import { modelCheck } from './model.js';
import { opaCheck } from './opa.js';
import { settingsCheck } from './settings.js';
import { storeCheck } from './store.js';
import { toolsCheck } from './tools.js';
import type { CheckResult, CheckStatus, DoctorCheck, DoctorContext, HealthReport } from './types.js';

export type { CheckResult, CheckStatus, DoctorContext, HealthReport } from './types.js';
export { CHECK_STATUSES } from './types.js';

/** Every check, in the order they are reported. */
export const DOCTOR_CHECKS: readonly DoctorCheck[] = [
  settingsCheck,
  storeCheck,
  modelCheck,
  forgeCheck,
  opaCheck,
  toolsCheck,
];

const RANK: Record<CheckStatus, number> = { ok: 0, warn: 1, fail: 2 };

/**
 * Runs every check at once, each bounded by a deadline (a little over the probe timeout): a check
 * that does not answer in time reports `fail` under its name instead of holding the caller.
 */
export async function runDoctor(context: DoctorContext): Promise<HealthReport> {
  const deadlineMs = context.timeoutMs + 1_000;
  const groups = await Promise.all(DOCTOR_CHECKS.map((check) => withDeadline(check, context, deadlineMs)));
  const checks = groups.flat();
  const status = checks.reduce<CheckStatus>(
    (worst, c) => (RANK[c.status] > RANK[worst] ? c.status : worst),
    'ok',
  );
  return { status, checked_at: new Date().toISOString(), checks };
}

async function withDeadline(
  check: DoctorCheck,
  context: DoctorContext,
  deadlineMs: number,
): Promise<CheckResult[]> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<CheckResult[]>((resolve) => {
    timer = setTimeout(
      () =>
        resolve([
          { name: check.name, status: 'fail', message: `the check did not finish within ${deadlineMs} ms` },
        ]),
      deadlineMs,
    );
  });
  try {
    return await Promise.race([
      check.run(context).catch((error: unknown) => [
        {
          name: check.name,
          status: 'fail' as const,
          message: `the check failed: ${error instanceof Error ? error.message : String(error)}`,
        },
      ]),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A report cached for `maxAgeMs`, so the health route cannot be used to flood the model, forge or OPA. */
export function createHealthMonitor(
  context: DoctorContext,
  maxAgeMs = 30_000,
): { report(): Promise<HealthReport> } {
  let last: { at: number; report: Promise<HealthReport> } | undefined;
  return {
    report() {
      if (last === undefined || Date.now() - last.at > maxAgeMs)
        last = { at: Date.now(), report: runDoctor(context) };
      return last.report;
    },
  };
}
