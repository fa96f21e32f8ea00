/**
 * Real bug fixes (issue #28 part 4), not injected ones: a patch release that changed both source
 * and tests. The previous release with the release's test changes is the base; the release's
 * source changes are the oracle reply. Both releases are downloaded at run time by the ecosystem's
 * own client (bench/corpus/client-fetch.ts) and cached under bench/.cache; none of their code is
 * committed. Packages the injected-bug corpus does not use.
 */
import { viaClient } from './sources.js';
import type { CorpusInstance } from './types.js';

export const REAL_FIX_CORPUS: CorpusInstance[] = [
  {
    name: 'wcwidth-fix',
    ecosystem: 'python',
    source: viaClient('pypi', 'wcwidth', '0.2.12'),
    realFix: {
      next: '0.2.13',
      tests: ['tests/test_core.py'],
      fix: ['wcwidth/table_zero.py', 'wcwidth/table_wide.py'],
    },
    traits: ['real fix: 0.2.12 → 0.2.13', 'setup.py', 'generated Unicode tables'],
    task: {
      title: 'Hangul Jamo vowels are measured as wide on their own',
      description:
        'wcwidth.wcswidth("\\u1100\\u1161") (HANGUL CHOSEONG KIYEOK followed by HANGUL JUNGSEONG A) is 4; the vowel combines with the consonant before it, so the phrase must be 2 columns wide, and wcwidth("\\u1161") must be 0.',
    },
    riskTier: 'low',
  },
  {
    name: 'parse-fix',
    ecosystem: 'python',
    source: viaClient('pypi', 'parse', '1.20.0'),
    realFix: { next: '1.20.1', tests: ['tests/test_parse.py'], fix: ['parse.py'] },
    traits: ['real fix: 1.20.0 → 1.20.1', 'single module', 'pyproject (setuptools)'],
    task: {
      title: '%f keeps too few digits of the fraction of a second',
      description:
        'parse.parse("{dt:%Y-%m-%d %H:%M:%S.%f}", "2023-11-21 13:23:27.12345") must give microsecond 123450 (and ".1234" 123400, ".0" 0); fractions with fewer than six digits are read wrongly or not at all.',
    },
    riskTier: 'low',
  },
  {
    name: 'strsim-fix',
    ecosystem: 'rust',
    source: viaClient('crates', 'strsim', '0.10.0'),
    realFix: { next: '0.11.0', tests: ['tests/lib.rs'], fix: ['src/lib.rs'] },
    traits: ['real fix: 0.10.0 → 0.11.0', 'tests/ folder', 'no dependencies'],
    task: {
      title: 'String similarity functions disagree with tests/lib.rs',
      description:
        "strsim's own tests in tests/lib.rs fail: the similarity and distance functions (jaro, jaro_winkler, the normalized forms) must return what those tests expect.",
    },
    riskTier: 'low',
  },
  {
    // The release also refactors the parser (ParserData → ParserState) and adds
    // ExpandedName::from_static: the reply is bigger than the fix, as real releases are.
    name: 'roxmltree-fix',
    ecosystem: 'rust',
    source: viaClient('crates', 'roxmltree', '0.18.0'),
    realFix: {
      next: '0.18.1',
      // The test is data: ast.rs's test! line names a fixture pair (input with \r, expected tree).
      tests: ['tests/ast.rs', 'tests/files/cdata_007.xml', 'tests/files/cdata_007.yaml'],
      fix: ['src/parse.rs', 'src/lib.rs'],
    },
    traits: ['real fix: 0.18.0 → 0.18.1', 'tests/ folder with fixture files', 'one dependency (xmlparser)'],
    task: {
      title: 'Carriage returns inside CDATA are kept',
      description:
        'Document::parse("<svg><style><![CDATA[some\\rlong\\r\\ntext\\r]]></style></svg>") gives the style element the text "some\\rlong\\r\\ntext\\r"; line ends in CDATA must be normalized like any other text ("some\\nlong\\ntext\\n"), as tests/ast.rs\'s cdata_007 expects.',
    },
    riskTier: 'low',
  },
  {
    // Its doc tests call dotenv() with no .env beside them and fail before and after the fix alike:
    // pre-existing failures the comparison with the baseline must not count.
    name: 'dotenvy-fix',
    ecosystem: 'rust',
    source: viaClient('crates', 'dotenvy', '0.15.3'),
    realFix: { next: '0.15.4', tests: ['tests/test-multiline-comment.rs'], fix: ['src/iter.rs'] },
    traits: ['real fix: 0.15.3 → 0.15.4', 'tests/ folder, one binary per file', 'doc tests failing at base'],
    task: {
      title: 'A # inside a value cuts the value short',
      description:
        'With a .env line TESTKEY2=test_val_with_#_hash, or TESTKEY3="test_val quoted with # hash" # a comment, dotenv() sets the variable to what comes before the #; only a # that starts the line or follows whitespace outside quotes begins a comment (and a line starting with # inside a multi-line quoted value is part of the value).',
    },
    riskTier: 'low',
  },
  {
    name: 'masterminds-semver-fix',
    ecosystem: 'go',
    source: viaClient('goproxy', 'github.com/Masterminds/semver/v3', 'v3.2.0'),
    realFix: { next: 'v3.2.1', tests: ['constraints_test.go', 'version_test.go'], fix: ['constraints.go'] },
    traits: ['real fix: v3.2.0 → v3.2.1', '/v3 module path', 'no dependencies'],
    task: {
      title: 'A hyphen range followed by another constraint is parsed wrongly',
      description:
        'semver.NewConstraint("1.0.0 - 2.0.0 <=2.0.0") must accept 1.5.0 (a range ANDed with another constraint, with or without a comma); it does not, and the range is rewritten without the space that separates it from the next constraint.',
    },
    riskTier: 'low',
  },
  {
    name: 'spf13-cast-fix',
    ecosystem: 'go',
    source: viaClient('goproxy', 'github.com/spf13/cast', 'v1.5.0'),
    realFix: { next: 'v1.5.1', tests: ['cast_test.go'], fix: ['caste.go'] },
    traits: ['real fix: v1.5.0 → v1.5.1', 'test dependency quicktest with go.sum'],
    task: {
      title: 'ToBoolE fails for sized integers and floats',
      description:
        'cast.ToBoolE(int64(1)) (and int32, int16, int8, the unsigned types, float64, float32, time.Duration) returns an error; every number must convert: 0 to false, anything else to true.',
    },
    riskTier: 'low',
  },
  {
    name: 'minimist-fix',
    ecosystem: 'node',
    source: viaClient('npm', 'minimist', '1.2.5'),
    realFix: { next: '1.2.6', tests: ['test/proto.js'], fix: ['index.js'] },
    traits: ['real fix: 1.2.5 → 1.2.6 (prototype pollution)', 'devDependency tap'],
    task: {
      title: 'Arguments can pollute Function.prototype through constructor',
      description:
        "parse(['--_.concat.constructor.prototype.y', '123']) sets y on every function (Function.prototype); keys that reach a constructor's prototype must be ignored.",
    },
    riskTier: 'low',
  },
  {
    name: 'object-inspect-fix',
    ecosystem: 'node',
    source: viaClient('npm', 'object-inspect', '1.13.0'),
    realFix: { next: '1.13.1', tests: ['test/global.js'], fix: ['index.js'] },
    traits: ['real fix: 1.13.0 → 1.13.1', 'tape under nyc', 'pretest lint and a networked posttest'],
    task: {
      title: 'The global object is shown as "global"',
      description:
        'inspect(globalThis) in Node returns "{ [object global] }"; the global object must be named "globalThis": "{ [object globalThis] }".',
    },
    riskTier: 'low',
  },
];
