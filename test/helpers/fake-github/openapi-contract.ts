import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';

/**
 * Checks requests and responses against GitHub's own OpenAPI description of api.github.com
 * (`@octokit/openapi`): the operation must exist for the method and path, path and query parameters
 * must be declared and valid, the JSON body must match the operation's schema; a response must be one
 * the operation declares, its JSON body valid against that status's schema.
 */
export interface ContractChecker {
  /** The operation a request is, or the list of reasons it breaks the contract. */
  checkRequest(request: ContractRequest): { operationId?: string; violations: string[] };
  checkResponse(operationId: string, status: number, body: unknown): string[];
  /** The spec's example response body for an operation and status, a template for fake answers. */
  example(operationId: string, status: number): unknown;
}

export interface ContractRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

type Json = Record<string, unknown>;
interface Operation {
  id: string;
  method: string;
  template: string;
  pattern: RegExp;
  literalSegments: number;
  spec: Json;
}

const require = createRequire(import.meta.url);
// ajv-formats is CommonJS with a default export; under NodeNext the callable sits on `.default`.
const addFormats = formats.default;

export function loadGithubContract(): ContractChecker {
  const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
  const doc = openApi30ToJsonSchema(JSON.parse(readFileSync(file, 'utf8'))) as Json;
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false, inlineRefs: false });
  addFormats(ajv);
  ajv.addSchema(doc, 'gh');
  const resolve = (value: unknown): Json => {
    let node = value as Json;
    while (node && typeof node.$ref === 'string') {
      node = node.$ref
        .slice(2)
        .split('/')
        .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce<Json>((at, part) => at[part] as Json, doc);
    }
    return node;
  };
  const operations = indexOperations(doc);
  const byId = new Map(operations.map((op) => [op.id, op]));
  const validators = new Map<string, ValidateFunction>();
  /** Compiled by reference into the spec, so ajv resolves the schema's own $refs; cached per pointer. */
  const validate = (pointer: string, value: unknown): string[] => {
    let fn = validators.get(pointer);
    if (!fn) {
      fn = ajv.compile({ $ref: `gh#${pointer}` });
      validators.set(pointer, fn);
    }
    if (fn(value)) return [];
    return (fn.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
  };

  return {
    checkRequest({ method, path, query, body }) {
      const candidates = operations
        .filter((op) => op.method === method.toLowerCase() && op.pattern.test(path))
        .sort((a, b) => b.literalSegments - a.literalSegments);
      const op = candidates[0];
      if (!op) return { violations: [`${method} ${path}: no such operation in GitHub's API description`] };
      const violations: string[] = [];
      const where = `${op.id} (${method} ${op.template})`;
      const match = op.pattern.exec(path);
      const names = [...op.template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? '');
      const pathValues = new Map(names.map((name, i) => [name, decodeURIComponent(match?.[i + 1] ?? '')]));
      const params = ((op.spec.parameters as unknown[] | undefined) ?? []).map(resolve);
      for (const param of params) {
        const name = String(param.name);
        const schema = param.schema as Json | undefined;
        if (param.in === 'path') {
          const problems = checkScalar(schema, pathValues.get(name));
          violations.push(...problems.map((p) => `${where}: path parameter ${name} ${p}`));
        } else if (param.in === 'query') {
          const value = query.get(name);
          if (value === null) {
            if (param.required) violations.push(`${where}: required query parameter ${name} missing`);
            continue;
          }
          violations.push(...checkScalar(schema, value).map((p) => `${where}: query ${name}=${value} ${p}`));
        }
      }
      const declared = new Set(params.filter((p) => p.in === 'query').map((p) => String(p.name)));
      for (const name of query.keys()) {
        if (!declared.has(name)) violations.push(`${where}: undeclared query parameter ${name}`);
      }
      const requestBody = op.spec.requestBody ? resolve(op.spec.requestBody) : undefined;
      if (!requestBody) {
        if (body !== undefined) violations.push(`${where}: a body was sent but the operation takes none`);
      } else if (body === undefined) {
        if (requestBody.required) violations.push(`${where}: required body missing`);
      } else {
        const pointer = `${operationPointer(op)}/requestBody/content/application~1json/schema`;
        const problems = requestBody.$ref
          ? validate(
              `${refPointer(String((op.spec.requestBody as Json).$ref))}/content/application~1json/schema`,
              body,
            )
          : validate(pointer, body);
        violations.push(...problems.map((p) => `${where}: body ${p}`));
      }
      return { operationId: op.id, violations };
    },

    checkResponse(operationId, status, body) {
      const op = byId.get(operationId);
      if (!op) return [`unknown operation ${operationId}`];
      const responses = op.spec.responses as Json;
      const declared = responses[String(status)] ?? responses.default;
      if (!declared) return [`${operationId}: status ${status} is not a declared response`];
      const response = resolve(declared);
      const content = response.content as Json | undefined;
      if (!content?.['application/json']) return [];
      const raw = responses[String(status)] as Json;
      const base = raw.$ref ? refPointer(String(raw.$ref)) : `${operationPointer(op)}/responses/${status}`;
      return validate(`${base}/content/application~1json/schema`, body).map(
        (p) => `${operationId} response ${status}: ${p}`,
      );
    },

    example(operationId, status) {
      const op = byId.get(operationId);
      const response = op && resolve((op.spec.responses as Json)[String(status)]);
      const media = (response?.content as Json | undefined)?.['application/json'] as Json | undefined;
      const examples = media?.examples as Json | undefined;
      const first = examples && Object.values(examples)[0];
      return first === undefined ? undefined : structuredClone(resolve(first).value);
    },
  };
}

function indexOperations(doc: Json): Operation[] {
  const out: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths as Record<string, Json>)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '([^/]+)')}$`);
    const literalSegments = template.split('/').filter((s) => s && !s.startsWith('{')).length;
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      const spec = item[method] as Json | undefined;
      if (spec) out.push({ id: String(spec.operationId), method, template, pattern, literalSegments, spec });
    }
  }
  return out;
}

function operationPointer(op: Operation): string {
  return `/paths/${op.template.replace(/~/g, '~0').replace(/\//g, '~1')}/${op.method}`;
}

function refPointer(ref: string): string {
  return ref.slice(1);
}

/** Path and query values arrive as text: checked against the parameter's scalar schema. */
function checkScalar(schema: Json | undefined, value: string | undefined): string[] {
  if (!schema || value === undefined) return [];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === 'integer' && !/^-?\d+$/.test(value)) return ['is not an integer'];
  if (type === 'boolean' && value !== 'true' && value !== 'false') return ['is not a boolean'];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
    return [`is not one of ${schema.enum.join(', ')}`];
  }
  if (typeof schema.minimum === 'number' && Number(value) < schema.minimum) return ['is below the minimum'];
  if (typeof schema.maximum === 'number' && Number(value) > schema.maximum) return ['is above the maximum'];
  return [];
}

/**
 * OpenAPI 3.0's `nullable: true` is not JSON Schema: it becomes a `null` type (and a null in the
 * enum), so ajv checks what GitHub means.
 */
function openApi30ToJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(openApi30ToJsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) out[key] = openApi30ToJsonSchema(value);
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    } else {
      return { anyOf: [out, { type: 'null' }] };
    }
  }
  return out;
}
