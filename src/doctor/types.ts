import type { AutodevConfig } from '../config/schema.js';
import type { Environment } from '../config/load.js';
import type { RunGit } from '../workspace/run-git.js';

export const CHECK_STATUSES = ['ok', 'warn', 'fail'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

/** One finding: what was checked, how it stands, and (when not ok) the key or variable to change. */
export interface CheckResult {
  name: string;
  status: CheckStatus;
  message: string;
}

export interface DoctorContext {
  config: AutodevConfig;
  hostEnv: Environment;
  /** Git with the forge's auth hint, for probing remotes the way tasks reach them. */
  runGit: RunGit;
  /** What one network probe may take; a check never holds start-up longer. */
  timeoutMs: number;
}

/** A group of checks (the model, the forge, OPA, tools, settings); each file under src/doctor/ is one. */
export interface DoctorCheck {
  /** The name a check reports under when it does not answer in time. */
  name: string;
  run(context: DoctorContext): Promise<CheckResult[]>;
}

export interface HealthReport {
  /** The worst status of the checks. */
  status: CheckStatus;
  checked_at: string;
  checks: CheckResult[];
}
