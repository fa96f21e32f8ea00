import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './opa-server.js';

/** A real Debian `prometheus` on loopback, scraping one target; its config and TSDB in a temp dir. */
export interface PrometheusServer {
  url: string;
  /** GET /api/v1/query: the result vector, or the error Prometheus gave. */
  query(expr: string): Promise<{ status: string; error?: string; result: PromSample[] }>;
  close(): Promise<void>;
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** `target` is host:port; `metricsPath` its scrape path. A 1 s interval: rates have samples in seconds. */
export async function startPrometheus(target: string, metricsPath = '/metrics'): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'autodev-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: autodev',
      `    metrics_path: ${metricsPath}`,
      '    static_configs:',
      `      - targets: ['${target}']`,
      '',
    ].join('\n'),
  );
  // Another process may take the port between the probe and Prometheus's bind: try a few.
  for (let tries = 0; ; tries += 1) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(
      'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const close = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    };
    try {
      await ready(url, () => child.exitCode !== null, Date.now() + 30_000);
    } catch (error) {
      await close();
      if (tries >= 2) {
        await rm(dir, { recursive: true, force: true });
        throw new Error(`could not start prometheus: ${String(error)}\n${stderr}`);
      }
      continue;
    }
    return {
      url,
      async query(expr) {
        const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr })}`);
        const body = (await response.json()) as {
          status: string;
          error?: string;
          data?: { resultType: string; result: PromSample[] };
        };
        return { status: body.status, error: body.error, result: body.data?.result ?? [] };
      },
      async close() {
        await close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
}

async function ready(url: string, exited: () => boolean, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if (exited()) throw new Error('prometheus exited');
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`prometheus at ${url} did not become ready`);
}
