import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The Gitea release whose published API description the fake is checked against. */
export const GITEA_SPEC_VERSION = 'v1.26.0';
const CACHE = join(process.cwd(), '.tools', 'openapi', `gitea-${GITEA_SPEC_VERSION}.json`);

/**
 * Gitea's own swagger.v1.json, as published in its Go module (templates/swagger/v1_json.tmpl), fetched
 * once with the Go toolchain's ordinary client (`go mod download`) and cached under .tools (not
 * committed). scripts/setup.sh does the same; this is the fallback for a test run without setup.
 */
export function loadGiteaSpec(): Record<string, unknown> {
  if (!existsSync(CACHE)) {
    const info = JSON.parse(
      execFileSync('go', ['mod', 'download', '-json', `code.gitea.io/gitea@${GITEA_SPEC_VERSION}`], {
        encoding: 'utf8',
        env: { ...process.env, GOFLAGS: '-mod=mod' },
        timeout: 300_000,
      }),
    ) as { Dir: string };
    const template = readFileSync(join(info.Dir, 'templates', 'swagger', 'v1_json.tmpl'), 'utf8');
    mkdirSync(join(process.cwd(), '.tools', 'openapi'), { recursive: true });
    writeFileSync(
      CACHE,
      template.replace('{{.SwaggerAppVer}}', GITEA_SPEC_VERSION).replace('{{.SwaggerAppSubUrl}}', ''),
    );
  }
  return JSON.parse(readFileSync(CACHE, 'utf8')) as Record<string, unknown>;
}
