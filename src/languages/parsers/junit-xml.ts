import { XMLParser } from 'fast-xml-parser';
import { emptyCounts, type TestCounts } from './types.js';

type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // Elements that may repeat are always arrays, so one test and many look the same.
  isArray: (name) => ['testsuite', 'testcase', 'failure', 'error', 'skipped'].includes(name),
  textNodeName: '#text',
  // Runners write a message's newlines and quotes as character references (`&#10;`, `&#34;`): decoded
  // here, once, so the model and the PR body read the text the test printed. The library decodes `&amp;`
  // last, so `&amp;#10;` stays the literal `&#10;` it stood for.
  processEntities: true,
  htmlEntities: true,
});

function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nodes(value: unknown): XmlNode[] {
  return Array.isArray(value) ? value.filter(isNode) : [];
}

function attr(node: XmlNode, name: string): string | undefined {
  const value = node[`@${name}`];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

/**
 * pytest's node id (`tests/test_x.py::TestClass::test_name`) from a xunit1 testcase, which
 * carries `file`; falls back to `classname.name` for other producers.
 */
function testName(testcase: XmlNode): string {
  const name = attr(testcase, 'name') ?? '?';
  const classname = attr(testcase, 'classname') ?? '';
  const file = attr(testcase, 'file');
  if (file?.endsWith('.py')) {
    const module = file.slice(0, -3).replace(/[\\/]/g, '.');
    const rest = classname.startsWith(`${module}.`) ? classname.slice(module.length + 1) : '';
    return [file, ...(rest ? rest.split('.') : []), name].join('::');
  }
  return classname ? `${classname}.${name}` : name;
}

function failureMessage(problem: XmlNode | undefined): string | undefined {
  if (!problem) return undefined;
  const text = problem['#text'];
  return attr(problem, 'message') ?? (typeof text === 'string' ? text : undefined);
}

function collectSuites(node: XmlNode): XmlNode[] {
  const direct = nodes(node['testsuite']);
  return direct.flatMap((suite) => [suite, ...collectSuites(suite)]);
}

/** Parses a JUnit XML report (pytest --junitxml, and the many runners that write the format). */
export function parseJunitXml(xml: string): TestCounts {
  const counts = emptyCounts();
  const root: unknown = parser.parse(xml);
  if (!isNode(root)) return counts;
  const top = isNode(root['testsuites']) ? root['testsuites'] : root;
  const passedNames: string[] = [];
  counts.passedNames = passedNames;
  for (const suite of collectSuites(top)) {
    counts.found = true;
    for (const testcase of nodes(suite['testcase'])) {
      const problem = nodes(testcase['failure'])[0] ?? nodes(testcase['error'])[0];
      if (problem || testcase['failure'] !== undefined || testcase['error'] !== undefined) {
        counts.failed++;
        const message = failureMessage(problem);
        counts.failures.push(message ? { name: testName(testcase), message } : { name: testName(testcase) });
      } else if (testcase['skipped'] !== undefined) counts.skipped++;
      else {
        counts.passed++;
        passedNames.push(testName(testcase));
      }
    }
  }
  return counts;
}
