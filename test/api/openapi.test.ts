import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestRuntime, TASKS, type TestRuntime } from '../helpers/runtime.js';

const schemaObject = z.looseObject({
  type: z.string().optional(),
  properties: z.record(z.string(), z.looseObject({})).optional(),
  required: z.array(z.string()).optional(),
  additionalProperties: z.boolean().optional(),
});

const operation = z.looseObject({
  summary: z.string().min(1),
  parameters: z
    .array(
      z.looseObject({
        name: z.string(),
        in: z.enum(['query', 'path', 'header', 'cookie']),
        required: z.boolean().optional(),
        schema: z.looseObject({}),
      }),
    )
    .optional(),
  requestBody: z
    .object({
      required: z.boolean().optional(),
      content: z.object({ 'application/json': z.object({ schema: schemaObject }) }),
    })
    .optional(),
  responses: z.record(
    z.string().regex(/^[1-5]\d\d$|^default$/),
    z.looseObject({
      description: z.string(),
      content: z.record(z.string(), z.object({ schema: schemaObject })).optional(),
    }),
  ),
});

/** The parts of OpenAPI 3.0 the document must have for a client generator to use it. */
const openApiDocument = z.object({
  openapi: z.string().regex(/^3\.\d+\.\d+$/),
  info: z.looseObject({ title: z.string().min(1), version: z.string().min(1) }),
  paths: z.record(
    z.string().startsWith('/'),
    z.partialRecord(z.enum(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']), operation),
  ),
  components: z.looseObject({}).optional(),
});

const PRS = '/api/v1/autodev/prs';

describe('GET /api/v1/openapi.json', () => {
  let t: TestRuntime;
  let doc: z.infer<typeof openApiDocument>;

  beforeAll(async () => {
    t = await startTestRuntime();
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = openApiDocument.parse(res.json());
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is an OpenAPI 3 document describing exactly the task, pull request, issue, update, health and dashboard routes', () => {
    expect(doc.openapi.startsWith('3.')).toBe(true);
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        `GET ${TASKS}`,
        `POST ${TASKS}`,
        `GET ${TASKS}/{id}`,
        `POST ${TASKS}/{id}/cancel`,
        `POST ${TASKS}/{id}/revert`,
        `GET ${TASKS}/{id}/events`,
        `GET ${TASKS}/{id}/logs`,
        `GET ${PRS}`,
        `GET ${PRS}/{id}`,
        `POST ${PRS}/{id}/approve`,
        `POST ${PRS}/{id}/request-changes`,
        `POST ${PRS}/{id}/comment`,
        `POST ${PRS}/{id}/override`,
        'POST /api/v1/autodev/webhooks/{provider}',
        `POST ${PRS}/{id}/merge`,
        `POST ${PRS}/{id}/close`,
        'GET /api/v1/autodev/health',
        // The local forge's issues (issue #23: triggers from the forge).
        'GET /api/v1/autodev/issues',
        'POST /api/v1/autodev/issues',
        'GET /api/v1/autodev/issues/{id}',
        'POST /api/v1/autodev/issues/{id}/comments',
        // The dashboard's routes (docs/operations.md).
        'GET /api/v1/autodev/overview',
        'GET /api/v1/autodev/events',
        `GET ${TASKS}/{id}/diff`,
        'POST /api/v1/autodev/updates',
        'GET /api/v1/autodev/updates',
      ].sort(),
    );
  });

  it('has the task fields in the request body with title required (and repo or repos), and nothing else accepted', () => {
    const body = doc.paths[TASKS]?.post?.requestBody;
    expect(body?.required).toBe(true);
    const schema = body?.content['application/json'].schema;
    expect(schema?.type).toBe('object');
    expect(Object.keys(schema?.properties ?? {}).sort()).toEqual(
      [
        'acceptance',
        'base_branch',
        'constraints',
        'description',
        'repo',
        'repos',
        'risk_tier',
        'title',
      ].sort(),
    );
    // One of repo and repos is required too: a rule across fields, checked by the body's schema.
    expect(schema?.required?.sort()).toEqual(['title']);
    expect(JSON.stringify(schema?.properties?.repos)).toContain('"enum":["library","consumer"]');
    expect(schema?.additionalProperties).toBe(false);
    expect(schema?.properties?.risk_tier).toMatchObject({ enum: ['low', 'medium', 'high'] });
  });

  it('documents the {id} parameter as a required path parameter on every task route', () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (!path.includes('{id}')) continue;
      for (const op of Object.values(ops)) {
        const id = op.parameters?.find((p) => p.name === 'id');
        expect(id, path).toMatchObject({ in: 'path', required: true });
      }
    }
  });

  it('documents the list filters as query parameters', () => {
    const names = doc.paths[TASKS]?.get?.parameters?.filter((p) => p.in === 'query').map((p) => p.name);
    expect(names?.sort()).toEqual(['cursor', 'limit', 'repo', 'risk_tier', 'status']);
  });

  it('documents the answers: 201 for a submit, 202 for a cancel, errors in the error shape', () => {
    expect(Object.keys(doc.paths[TASKS]?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['201', '400', '403', '503']),
    );
    expect(Object.keys(doc.paths[`${TASKS}/{id}/cancel`]?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['202', '404', '409']),
    );
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const op of Object.values(ops)) {
        for (const [status, response] of Object.entries(op.responses)) {
          if (!status.startsWith('4') && !status.startsWith('5')) continue;
          const schema = response.content?.['application/json']?.schema;
          expect(schema?.required, `${path} ${status}`).toEqual(['error']);
        }
      }
    }
  });

  it('agrees with the validator: a body without a required field is refused naming it', async () => {
    const required = doc.paths[TASKS]?.post?.requestBody?.content['application/json'].schema.required ?? [];
    expect(required.length).toBeGreaterThan(0);
    for (const field of required) {
      const full: Record<string, unknown> = { title: 'x', repo: '/srv/git/x.git' };
      const body = Object.fromEntries(Object.entries(full).filter(([key]) => key !== field));
      const res = await t.app.inject({ method: 'POST', url: TASKS, payload: body });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain(`body.${field}`);
    }
  });
});
