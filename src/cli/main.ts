#!/usr/bin/env -S node --max-semi-space-size=4
import { Command } from 'commander';
import { isAutodevError } from '../errors.js';
import { registerDemoCommand } from './demo.js';
import { registerPolicyCommands } from './policy.js';
import { registerDoctorCommand } from './doctor.js';
import { registerPrCommands } from './pr.js';
import { registerIssueCommands } from './issue.js';
import { registerServeCommand } from './serve.js';
import { registerTaskCommands } from './task.js';
import { registerWorkerCommand } from './worker.js';
import { registerToolsCommands } from './tools.js';
import { registerUpdatesCommands } from './updates.js';

const program = new Command()
  .name('autodev')
  .description('Takes a software task and delivers a tested pull request.')
  .showHelpAfterError();
registerServeCommand(program);
registerWorkerCommand(program);
registerDoctorCommand(program);
registerDemoCommand(program);
registerToolsCommands(program);
registerPrCommands(program);
registerIssueCommands(program);
registerTaskCommands(program);
registerPolicyCommands(program);
registerUpdatesCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  // Expected failures (bad config, bad input) print their message alone; anything else with its stack.
  if (isAutodevError(error)) console.error(`autodev: ${error.code}: ${error.message}`);
  else console.error(error);
  process.exitCode = 1;
});
