import { Ajv, type ValidateFunction } from 'ajv';
import { z } from 'zod';

/** A request or response that the published API description does not allow, in words. */
export type ContractViolation = string;

const parameterSchema = z.object({
  name: z.string(),
  in: z.string(),
  required: z.boolean().optional(),
  type: z.string().optional(),
  enum: z.array(z.unknown()).optional(),
  schema: z.object({ $ref: z.string().optional() }).passthrough().optional(),
});
const operationSchema = z.object({
  parameters: z.array(parameterSchema).optional(),
  responses: z
    .record(z.string(), z.object({ $ref: z.string().optional(), schema: z.unknown().optional() }))
    .optional(),
});
type Operation = z.infer<typeof operationSchema>;
const swagger2Schema = z.object({
  basePath: z.string().optional(),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
  definitions: z.record(
    z.string(),
    z.object({ properties: z.record(z.string(), z.unknown()).optional() }).passthrough(),
  ),
  responses: z.record(z.string(), z.object({ schema: z.unknown().optional() })).optional(),
});

export interface SwaggerValidator {
  /** The spec's path template for a concrete path (`/repos/{owner}/{repo}/pulls`), or undefined. */
  match(method: string, path: string): { template: string; operation: Operation } | undefined;
  checkRequest(method: string, url: URL, body: unknown): ContractViolation[];
  checkResponse(method: string, url: URL, status: number, body: unknown): ContractViolation[];
}

/**
 * Checks requests and responses against a Swagger 2.0 description: the path and method exist, query
 * parameters are declared (and typed), a body matches its schema with no undeclared top-level field
 * (the spec's objects are open, but a field Gitea does not know is silently ignored by it: a bug), and a
 * response's status is declared and its body matches the declared schema.
 */
export function createSwaggerValidator(specInput: Record<string, unknown>): SwaggerValidator {
  const spec = swagger2Schema.parse(specInput);
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ definitions: spec.definitions }, 'spec');
  const compiled = new Map<string, ValidateFunction>();
  const validatorFor = (schema: unknown): ValidateFunction => {
    const key = JSON.stringify(schema);
    let fn = compiled.get(key);
    if (!fn) {
      fn = ajv.compile(rewriteRefs(schema));
      compiled.set(key, fn);
    }
    return fn;
  };
  const base = spec.basePath ?? '';
  const templates = Object.keys(spec.paths).map((template) => ({
    template,
    regex: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}/]+\}/g, '[^/]+')}$`),
    literalChars: template.replace(/\{[^}]+\}/g, '').length,
  }));
  // A literal segment beats a parameter: `/pulls/{index}/merge` before `/{filepath}` catch-alls.
  templates.sort((a, b) => b.literalChars - a.literalChars);

  const match: SwaggerValidator['match'] = (method, path) => {
    const local = path.startsWith(base) ? path.slice(base.length) : path;
    for (const t of templates) {
      if (!t.regex.test(local)) continue;
      const raw = spec.paths[t.template]?.[method.toLowerCase()];
      if (raw !== undefined) return { template: t.template, operation: operationSchema.parse(raw) };
    }
    return undefined;
  };

  return {
    match,
    checkRequest(method, url, body) {
      const found = match(method, url.pathname);
      if (!found) return [`${method} ${url.pathname}: no such operation in the spec`];
      const where = `${method} ${found.template}`;
      const params = found.operation.parameters ?? [];
      const violations: ContractViolation[] = [];
      for (const [key, value] of url.searchParams) {
        const param = params.find((p) => p.in === 'query' && p.name === key);
        if (!param) violations.push(`${where}: query parameter ${key} is not declared`);
        else if (param.type === 'integer' && !/^-?\d+$/.test(value))
          violations.push(`${where}: query parameter ${key}=${value} is not an integer`);
        else if (param.enum && !param.enum.includes(value))
          violations.push(`${where}: query parameter ${key}=${value} not in ${JSON.stringify(param.enum)}`);
      }
      for (const p of params.filter((p) => p.in === 'query' && p.required)) {
        if (!url.searchParams.has(p.name)) violations.push(`${where}: query parameter ${p.name} is required`);
      }
      const bodyParam = params.find((p) => p.in === 'body');
      if (body !== undefined && !bodyParam) violations.push(`${where}: takes no body`);
      if (bodyParam?.required && body === undefined) violations.push(`${where}: body is required`);
      if (bodyParam?.schema && body !== undefined) {
        const validate = validatorFor(bodyParam.schema);
        if (!validate(body)) violations.push(`${where}: body ${ajv.errorsText(validate.errors)}`);
        const ref = bodyParam.schema.$ref?.replace('#/definitions/', '');
        const declared = ref ? spec.definitions[ref]?.properties : undefined;
        if (declared && typeof body === 'object' && body !== null) {
          for (const key of Object.keys(body)) {
            if (!(key in declared)) violations.push(`${where}: body field ${key} is not in ${ref}`);
          }
        }
      }
      return violations;
    },
    checkResponse(method, url, status, body) {
      const found = match(method, url.pathname);
      if (!found) return [];
      const where = `${method} ${found.template} → ${status}`;
      const declared = found.operation.responses?.[String(status)];
      if (!declared) return [`${where}: status not declared`];
      const schema = declared.$ref
        ? spec.responses?.[declared.$ref.replace('#/responses/', '')]?.schema
        : declared.schema;
      if (schema === undefined || body === undefined) return [];
      const validate = validatorFor(schema);
      return validate(body) ? [] : [`${where}: ${ajv.errorsText(validate.errors)}`];
    },
  };
}

/** `#/definitions/X` → `spec#/definitions/X`, so a fragment compiles against the added spec. */
function rewriteRefs(schema: unknown): object {
  return JSON.parse(JSON.stringify(schema).replace(/"#\/definitions\//g, '"spec#/definitions/'));
}
