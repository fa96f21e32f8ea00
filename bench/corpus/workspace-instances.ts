/**
 * Corpus instances with several projects in one repo (issue #14: "include some with workspaces or
 * monorepos"). Registries publish single packages, so each workspace is assembled from real,
 * pinned archives (bench/corpus/assemble.ts): the parts' source is the registry's, the root
 * manifest joining them is written here, and the lockfile by the ecosystem's own tool.
 */
import { crate, goModule, npm } from './sources.js';
import type { CorpusInstance } from './types.js';

const SCOPEGUARD = crate(
  'scopeguard',
  '1.2.0',
  '94143f37725109f92c262ed2cf5e59bce7498c01bcc1502d7b9afe439a4e9f49',
);
const LOCK_API = crate(
  'lock_api',
  '0.4.12',
  '07af8b9cdd281b7915f413fa73f29ebd5d55d0d3f0155584dade1ff18cea1b17',
);
const DEFINED = npm('defined', '1.0.0', '68e2e0b92eb061adafced7aa79dee36d75fa4a0f0cc0ffec2ef7f629147f278e');
const XTEND = npm('xtend', '4.0.2', 'bd22a01d43c799be7bb53dfa9e775b132045e39525e51efb977528a00041ba48');
const KR_TEXT = goModule(
  'github.com/kr/text',
  'v0.2.0',
  '368eb318f91a5b67be905c47032ab5c31a1d49a97848b1011a0d0a2122b30ba4',
);
const KR_PRETTY = goModule(
  'github.com/kr/pretty',
  'v0.3.1',
  'ecf5a4af24826c3ad758ce06410ca08e2d58e4d95053be3b9dde2e14852c0cdc',
);

export const WORKSPACE_CORPUS: CorpusInstance[] = [
  {
    // A virtual manifest over two crates, lock_api using the scopeguard member through [patch]
    // (as a repo that vendors a fork would); Cargo.lock written by cargo when assembled.
    name: 'cargo-workspace',
    ecosystem: 'rust',
    source: SCOPEGUARD,
    workspace: {
      parts: [
        { folder: 'scopeguard', source: SCOPEGUARD },
        { folder: 'lock_api', source: LOCK_API },
      ],
      files: {
        'Cargo.toml': [
          '[workspace]',
          'members = ["scopeguard", "lock_api"]',
          'resolver = "2"',
          '',
          '# lock_api depends on scopeguard from the registry: the member replaces it, as a path dependency.',
          '[patch.crates-io]',
          'scopeguard = { path = "scopeguard" }',
          '',
        ].join('\n'),
      },
      lock: { argv: ['cargo', 'generate-lockfile'], writes: ['Cargo.lock'] },
    },
    traits: ['Cargo workspace (virtual manifest)', 'path dependency between members', 'Cargo.lock'],
    bug: {
      file: 'scopeguard/src/lib.rs',
      search:
        'impl Strategy for OnSuccess {\n    #[inline]\n    fn should_run() -> bool {\n        !std::thread::panicking()',
      replace:
        'impl Strategy for OnSuccess {\n    #[inline]\n    fn should_run() -> bool {\n        std::thread::panicking()',
    },
    task: {
      title: 'defer_on_success! runs only when the scope panics',
      description:
        'In the scopeguard crate of this workspace, a `defer_on_success!` block never runs when its scope ends normally, and runs when it panics; it must be the other way round.',
    },
    riskTier: 'low',
  },
  {
    // npm workspaces with no test script at the root: maintainers run each package's own.
    name: 'npm-workspaces',
    ecosystem: 'node',
    source: DEFINED,
    workspace: {
      parts: [
        { folder: 'packages/defined', source: DEFINED },
        { folder: 'packages/xtend', source: XTEND },
      ],
      files: {
        'package.json': `${JSON.stringify(
          { name: 'corpus-npm-workspaces', private: true, workspaces: ['packages/*'] },
          null,
          2,
        )}\n`,
      },
      lock: {
        argv: ['npm', 'install', '--package-lock-only', '--ignore-scripts'],
        writes: ['package-lock.json'],
      },
    },
    traits: ['npm workspaces', 'no root test script', 'devDependency tape in two versions'],
    bug: {
      file: 'packages/defined/index.js',
      search: 'if (arguments[i] !== undefined) return arguments[i];',
      replace: 'if (arguments[i]) return arguments[i];',
    },
    task: {
      title: 'defined() skips false and 0',
      description:
        'In the defined package of this monorepo, defined(undefined, false, true) returns true and defined(0, 1) returns 1; the first argument that is not undefined must be returned (false and 0).',
    },
    riskTier: 'low',
  },
  {
    // One module, several packages (cmp, cmp/cmpopts, cmp/internal/...): `go test ./...` must reach all.
    name: 'go-cmp',
    ecosystem: 'go',
    source: goModule(
      'github.com/google/go-cmp',
      'v0.6.0',
      '4b4e9bf6c48211080651b491dfb48d68b736c66a305bcf94605606e1ba2eaa4a',
    ),
    traits: ['several packages, internal ones included', 'bug outside the root package'],
    bug: {
      file: 'cmp/cmpopts/equate.go',
      search: 'return math.Abs(x-y) <= math.Max(a.marg, relMarg)',
      replace: 'return math.Abs(x-y) <= math.Min(a.marg, relMarg)',
    },
    task: {
      title: 'EquateApprox ignores the fraction when the margin is 0',
      description:
        'cmp.Equal(1.0, 1.05, cmpopts.EquateApprox(0.1, 0)) is false; 1.05 is within 10% of 1.0, so it must be true.',
    },
    riskTier: 'low',
  },
  {
    // Two modules joined by go.work, pretty using the text module of the workspace; go.work.sum by go.
    name: 'go-work',
    ecosystem: 'go',
    source: KR_TEXT,
    workspace: {
      parts: [
        { folder: 'text', source: KR_TEXT },
        { folder: 'pretty', source: KR_PRETTY },
      ],
      files: { 'go.work': 'go 1.18\n\nuse (\n\t./pretty\n\t./text\n)\n' },
      lock: { argv: ['go', 'mod', 'download'], writes: ['go.work.sum'] },
    },
    traits: ['go.work with two modules', 'a module without go.sum', 'old go.mod syntax'],
    bug: {
      file: 'text/indent.go',
      search: "\t\tif bol && c != '\\n' {\n\t\t\tres = append(res, prefix...)",
      replace: '\t\tif bol {\n\t\t\tres = append(res, prefix...)',
    },
    task: {
      title: 'text.Indent indents empty lines',
      description:
        'In the text module of this workspace, text.Indent("a\\n\\nb", "xxx") returns "xxxa\\nxxx\\nxxxb"; empty lines must stay empty: "xxxa\\n\\nxxxb".',
    },
    riskTier: 'low',
  },
];
