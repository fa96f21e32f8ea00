/**
 * Every read route of the API at a fixed 1,000 req/s (open loop, bench/lib/open-loop.ts), one route
 * at a time over the same stored tasks, and task submissions at a lower rate. GET /healthz at the
 * same rate, first and last, is the floor: what the machine, Node and Fastify cost with no store.
 */
import type { LoadDriver } from './load-driver.js';
import type { LoadRequest, LoadResult } from './load-protocol.js';
import { observeLoad, summarize } from './load-stats.js';
import type { BenchRow } from '../types.js';

export const OPEN_RATE = 1_000;
/** Per route: 3 s at 1,000 req/s, so the p99 is the 30th slowest of 3,000. */
const OPEN_REQUESTS = 3_000;
const OPEN_WARMUP = 300;
/** 1,000 submissions a second is no real load (each is a task that runs minutes): 100/s for 3 s. */
const SUBMIT_RATE = 100;
const SUBMIT_REQUESTS = 300;
const ROUTE_BUDGET_MS = 20_000;
const API = '/api/v1/autodev';

export interface OpenLoopTarget {
  baseUrl: string;
  driver: LoadDriver;
  /** A task with steps, logs, a diff and a pull request. */
  taskId: string;
  /** A task id in the middle of the list: a second page's cursor. */
  cursor: string;
  repo: string;
}

interface Route {
  label: string;
  request: LoadRequest;
  rate: number;
  count: number;
}

function routes(t: OpenLoopTarget): Route[] {
  const get = (label: string, path: string): Route => ({
    label,
    request: { kind: 'get', path },
    rate: OPEN_RATE,
    count: OPEN_REQUESTS,
  });
  const repo = encodeURIComponent(t.repo);
  return [
    get('GET /healthz', '/healthz'),
    get('GET /metrics', '/metrics'),
    get('GET /tasks (limit 50)', `${API}/tasks`),
    get('GET /tasks?status=failed', `${API}/tasks?status=failed`),
    get('GET /tasks?repo=', `${API}/tasks?repo=${repo}`),
    get('GET /tasks?risk_tier=low', `${API}/tasks?risk_tier=low`),
    get('GET /tasks?cursor= (page 2)', `${API}/tasks?cursor=${encodeURIComponent(t.cursor)}`),
    get('GET /tasks?limit=200', `${API}/tasks?limit=200`),
    get('GET /tasks/:id', `${API}/tasks/${t.taskId}`),
    get('GET /tasks/:id/events', `${API}/tasks/${t.taskId}/events`),
    get('GET /tasks/:id/logs', `${API}/tasks/${t.taskId}/logs`),
    get('GET /tasks/:id/diff', `${API}/tasks/${t.taskId}/diff`),
    get('GET /prs', `${API}/prs`),
    get('GET /prs?status=open', `${API}/prs?status=open`),
    get('GET /prs/:id', `${API}/prs/${t.taskId}`),
    get('GET /overview', `${API}/overview`),
    get('GET /issues?repo=', `${API}/issues?repo=${repo}`),
    get('GET /updates?repo=', `${API}/updates?repo=${repo}`),
    get('GET /health', `${API}/health`),
    {
      label: 'POST /tasks (submit)',
      request: {
        kind: 'submit',
        path: `${API}/tasks`,
        task: { title: 'Open-loop task', description: 'Fix add().', repo: t.repo },
      },
      rate: SUBMIT_RATE,
      count: SUBMIT_REQUESTS,
    },
    get('GET /healthz (again, last)', '/healthz'),
  ];
}

const fmt = (value: number): string => value.toFixed(2);

interface Measured {
  route: Route;
  result: LoadResult;
  loopP99: number;
  /** The server process's CPU (user + system) per answered request: what a request costs, free of queueing. */
  cpuUsPerRequest: number;
}

function row({ route, result, loopP99, cpuUsPerRequest }: Measured, floorP99: number): BenchRow {
  const s = summarize(result.latenciesMs, result.elapsedMs);
  const statuses = Object.entries(result.statuses)
    .map(([status, n]) => `${status}×${n}`)
    .join(' ');
  return {
    name: `open ${route.rate}/s: ${route.label} p99`,
    baseline: `GET /healthz p99 at ${OPEN_RATE}/s`,
    value: s.p99,
    baselineValue: floorP99,
    unit: 'ms',
    ratio: s.p99 / floorP99,
    runs: s.count,
    notes: [
      `p50 ${fmt(s.p50)} p99 ${fmt(s.p99)} max ${fmt(s.max)} ms from the due time`,
      `${fmt(s.throughput)} req/s answered [${statuses}]`,
      `server event-loop delay p99 ${fmt(loopP99)} ms`,
      // One event loop: above 1,000 µs a request, 1,000 req/s cannot be served by one core at all.
      `server CPU ${cpuUsPerRequest.toFixed(0)} µs/request (background work included)`,
      ...(result.stoppedByDeadline ? ['STOPPED BY BUDGET'] : []),
      ...(result.firstError === undefined ? [] : [`first error: ${result.firstError}`]),
    ].join('; '),
  };
}

/** One row per route: its p99 at the fixed rate beside GET /healthz's at 1,000/s. */
export async function measureOpenLoop(t: OpenLoopTarget): Promise<BenchRow[]> {
  const measured: Measured[] = [];
  for (const route of routes(t)) {
    const spec = {
      baseUrl: t.baseUrl,
      request: route.request,
      ratePerSec: route.rate,
      deadlineMs: ROUTE_BUDGET_MS,
    };
    if (route.request.kind === 'get') await t.driver.runOpen({ ...spec, count: OPEN_WARMUP });
    const observer = observeLoad();
    const cpu = process.cpuUsage();
    const result = await t.driver.runOpen({ ...spec, count: route.count });
    const used = process.cpuUsage(cpu);
    const answered = Math.max(1, result.latenciesMs.length);
    measured.push({
      route,
      result,
      loopP99: observer.stop().eventLoopDelayP99Ms,
      cpuUsPerRequest: (used.user + used.system) / answered,
    });
  }
  const floor = summarize(measured[0]?.result.latenciesMs ?? [], 1).p99;
  return measured.map((m) => row(m, floor));
}
