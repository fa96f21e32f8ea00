import { z } from 'zod';

/** The engines, the keys of src/engine/index.ts ENGINES. */
export const ENGINE_KINDS = ['embedded', 'temporal'] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];

/** `host:port` of a Temporal frontend; a scheme or a path is a mistake the SDK reports obscurely. */
const hostPort = z.string().regex(/^[A-Za-z0-9.-]{1,253}:[0-9]{1,5}$|^\[[0-9A-Fa-f:]{2,39}\]:[0-9]{1,5}$/, {
  error: 'expected host:port of the Temporal frontend, such as 127.0.0.1:7233',
});

/** A Temporal namespace or task queue name: printable, no spaces, bounded. */
const temporalName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, {
  error: 'expected a name of letters, digits, ".", "_" and "-" (at most 200)',
});

/**
 * `[autodev.engine]`: where and when tasks run. `embedded` (the default) is one process with leases
 * in the store; `temporal` runs each task as a Temporal workflow executed by `autodev worker` processes.
 */
export const engineConfigSchema = z
  .object({
    kind: z.enum(ENGINE_KINDS, { error: `expected one of ${ENGINE_KINDS.join(', ')}` }).default('embedded'),
    address: hostPort.default('127.0.0.1:7233'),
    namespace: temporalName.default('default'),
    task_queue: temporalName.default('autodev'),
  })
  .strict();

export type EngineSettings = z.infer<typeof engineConfigSchema>;
