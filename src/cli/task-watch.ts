import type { ApiClientSettings } from '../config/index.js';
import { AutodevError } from '../errors.js';
import type { ApiClient } from './api-client.js';

interface WatchedTask {
  id: string;
  status: string;
  error: { code: string; message: string } | null;
  pr: { url?: string | null; branch: string } | null;
}

const TERMINAL = new Set(['awaiting_review', 'merged', 'closed', 'failed', 'cancelled']);

/**
 * Follows a task's event stream and prints one progress line per change (phase, current step,
 * elapsed time), then the outcome and the pull request. Resolves with the task as it ended.
 */
export async function watchTask(
  id: string,
  settings: ApiClientSettings,
  api: ApiClient,
  print: (line: string) => void,
): Promise<WatchedTask> {
  const started = Date.now();
  const path = `/api/v1/autodev/tasks/${encodeURIComponent(id)}`;
  let status = ((await api.request('GET', path)) as WatchedTask).status;
  let step = '-';
  const line = () => print(`[${elapsed(Date.now() - started)}] ${status.padEnd(15)} ${step}`);
  line();
  if (!TERMINAL.has(status)) {
    const response = await fetch(`${settings.url}${path}/events?stream=true`, {
      headers: {
        accept: 'text/event-stream',
        ...(settings.token ? { authorization: `Bearer ${settings.token}` } : {}),
      },
    });
    if (!response.ok || !response.body) {
      throw new AutodevError('API_UNREACHABLE', `the event stream of ${id} answered ${response.status}`);
    }
    let buffer = '';
    const decoder = new TextDecoder();
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n');
        if (!data) continue;
        const event = JSON.parse(data) as { type: string; data: Record<string, unknown> };
        if (event.type === 'task.status_changed') status = String(event.data.to);
        else if (event.type === 'step.started')
          step = `${String(event.data.key)} (${String(event.data.tool)})`;
        else continue;
        line();
      }
    }
  }
  const task = (await api.request('GET', path)) as WatchedTask;
  const outcome = task.error ? `${task.status}: ${task.error.code}: ${task.error.message}` : task.status;
  print(`${task.id} ${outcome}${task.pr ? `  pr: ${task.pr.url ?? task.pr.branch}` : ''}`);
  return task;
}

function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
