import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig, readHostEnvironment } from '../config/index.js';
import { createRuntime } from '../runtime/create-runtime.js';
import { createToolRegistry } from '../tools/registry.js';
import { parseJsonOption } from './options.js';

export function registerToolsCommands(program: Command): void {
  const tools = program
    .command('tools')
    .description('Inspect and invoke the registered tools, for debugging.');

  tools
    .command('list')
    .description('Print the registered tools.')
    .option('--json', 'print JSON (name, description, input JSON Schema)')
    .action(async (options: { json?: boolean }) => {
      const { z } = await import('zod');
      const list = createToolRegistry().list();
      if (options.json) {
        const out = list.map((t) => ({
          name: t.name,
          description: t.description,
          input: z.toJSONSchema(t.inputSchema, { io: 'input' }),
        }));
        console.log(JSON.stringify(out, null, 2));
        return;
      }
      const width = Math.max(...list.map((t) => t.name.length));
      for (const t of list) console.log(`${t.name.padEnd(width)}  ${t.description}`);
    });

  tools
    .command('run <name>')
    .description('Invoke one tool on a workspace and print its JSON result.')
    .requiredOption('-w, --workspace <dir>', 'the workspace (a checkout) the tool works in')
    .option('-i, --input <json>', 'the tool input as JSON', parseJsonOption, {})
    .option('-c, --config <file>', 'TOML config file')
    .action(async (name: string, options: { workspace: string; input: unknown; config?: string }) => {
      const env = readHostEnvironment();
      const config = loadConfig({ file: options.config, env });
      const runtime = await createRuntime(
        { ...config, log_level: 'warn' },
        { hostEnv: env, logDestination: process.stderr },
      );
      try {
        const tool = runtime.tools.get(name);
        const controller = new AbortController();
        process.once('SIGINT', () => controller.abort());
        const { output } = await tool.run(options.input, {
          workspaceDir: resolve(options.workspace),
          signal: controller.signal,
          log: runtime.log,
          services: runtime.services,
          onOutput: (stream, content) => process.stderr.write(runtime.redact(content)),
          onModelCall: (record) => runtime.log.info(record, 'model call'),
        });
        console.log(runtime.redact(JSON.stringify(output, null, 2)));
      } finally {
        await runtime.close(0);
      }
    });
}
