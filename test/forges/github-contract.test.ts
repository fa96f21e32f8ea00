import { beforeAll, describe, expect, it } from 'vitest';
import { loadGithubContract, type ContractChecker } from '../helpers/fake-github/openapi-contract.js';

// The fake GitHub's checks are only worth something if they catch what GitHub would refuse.
describe("the fake GitHub's contract check (GitHub's OpenAPI description through ajv)", () => {
  let contract: ContractChecker;
  beforeAll(() => {
    contract = loadGithubContract();
  });
  const query = (text = '') => new URLSearchParams(text);

  it('accepts the requests autodev makes as GitHub documents them', () => {
    const open = { title: 't', head: 'autodev/x', base: 'main', body: 'b' };
    expect(
      contract.checkRequest({ method: 'POST', path: '/repos/acme/app/pulls', query: query(), body: open }),
    ).toEqual({
      operationId: 'pulls/create',
      violations: [],
    });
    const merge = { merge_method: 'squash', sha: 'a'.repeat(40) };
    expect(
      contract.checkRequest({
        method: 'PUT',
        path: '/repos/acme/app/pulls/3/merge',
        query: query(),
        body: merge,
      }),
    ).toMatchObject({ operationId: 'pulls/merge', violations: [] });
  });

  it('flags an unknown path, an undeclared or invalid parameter, and a body that breaks the schema', () => {
    const check = (method: string, path: string, q: string, body?: unknown) =>
      contract.checkRequest({ method, path, query: query(q), body }).violations.join('\n');
    expect(check('GET', '/repos/acme/app/pullz', '')).toMatch(/no such operation/);
    expect(check('GET', '/repos/acme/app/pulls', 'head_branch=x')).toMatch(
      /undeclared query parameter head_branch/,
    );
    expect(check('GET', '/repos/acme/app/pulls', 'state=merged')).toMatch(/state=merged is not one of/);
    expect(check('GET', '/repos/acme/app/pulls/abc', '')).toMatch(
      /path parameter pull_number is not an integer/,
    );
    expect(check('PUT', '/repos/acme/app/pulls/3/merge', '', { merge_method: 'fast-forward' })).toMatch(
      /body \/merge_method must be equal to one of the allowed values/,
    );
    expect(check('POST', '/repos/acme/app/issues/3/labels', '', { labels: 'autodev' })).toMatch(/body/);
    expect(check('GET', '/repos/acme/app/pulls/3', '', { state: 'open' })).toMatch(/takes none/);
  });

  it('flags an answer missing what GitHub documents, or with a status it does not declare', () => {
    expect(contract.checkResponse('pulls/merge', 200, { sha: 'x', merged: true, message: 'ok' })).toEqual([]);
    expect(contract.checkResponse('pulls/merge', 200, { merged: 'yes' }).join('\n')).toMatch(/sha/);
    expect(contract.checkResponse('pulls/merge', 418, {})).toEqual([
      'pulls/merge: status 418 is not a declared response',
    ]);
  });
});
