import type { Command } from 'commander';
import { toTaskView } from '../api/task-view.js';
import { withRuntime } from './pr.js';

export function registerTaskCommands(program: Command): void {
  const task = program.command('task').description('Act on tasks (named by their id).');

  task
    .command('revert <id>')
    .description(
      "Open a pull request reverting a merged task's merge; a second call prints the same revert task.",
    )
    .option('-c, --config <file>', 'TOML config file')
    .action(async (id: string, options: { config?: string }) => {
      // The revert task is queued in the store; the running server's scheduler picks it up.
      await withRuntime(options.config, async (runtime) => {
        const { task: revert, created } = await runtime.tasks.revert(id);
        const view = { ...toTaskView(revert, [], undefined), created };
        console.log(runtime.redact(JSON.stringify(view, null, 2)));
      });
    });
}
