import { describe, expect, it } from 'vitest';
import { AGENT_TOOL_DEFINITIONS } from './tool-schemas.js';

describe('AGENT_TOOL_DEFINITIONS', () => {
  it('offers the four tools as JSON Schema objects generated from their zod schemas', () => {
    expect(AGENT_TOOL_DEFINITIONS.map((tool) => tool.name)).toEqual([
      'read_file',
      'list_files',
      'search',
      'apply_edit',
    ]);
    for (const tool of AGENT_TOOL_DEFINITIONS) {
      expect(tool.parameters).toMatchObject({ type: 'object', additionalProperties: false });
      expect(tool.parameters).not.toHaveProperty('$schema');
      expect(tool.description).not.toBe('');
    }
    const readFile = AGENT_TOOL_DEFINITIONS[0];
    expect(readFile?.parameters).toMatchObject({
      properties: { path: { type: 'string' } },
      required: ['path'],
    });
  });
});
