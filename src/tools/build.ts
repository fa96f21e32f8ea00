import { z } from 'zod';
import { detectProjects, runBuild, type BuildReport } from '../languages/index.js';
import { assertNoEscapingLinks } from '../workspace/escaping-links.js';
import { defineTool } from './define.js';
import { commandOptions, selectProjects } from './project-commands.js';
import { registerTool } from './register.js';

export const buildTool = registerTool(
  defineTool({
    name: 'build',
    description:
      'Build every detected project (cargo build, npm run build / tsc, compileall, go build) in the sandbox without network.',
    inputSchema: z.object({ root: z.string().min(1).optional() }),
    async invoke(input, ctx) {
      await assertNoEscapingLinks(ctx.workspaceDir, ctx.signal);
      const projects = selectProjects(await detectProjects(ctx.workspaceDir), input.root);
      const reports: BuildReport[] = [];
      for (const project of projects) {
        const report = await runBuild(project, commandOptions(ctx));
        ctx.onOutput('stdout', `$ ${report.command.join(' ')}\n${report.outputTail}\n`);
        reports.push(report);
      }
      return { ok: reports.every((r) => r.ok), reports };
    },
    summarize: (out) =>
      `${out.ok ? 'built' : 'build failed'}: ${out.reports.map((r) => `${r.language} (${r.root}) ${r.ok ? 'ok' : `exit ${String(r.exitCode)}`}`).join('; ') || 'no project'}`,
    agent: { name: 'build' },
  }),
);
