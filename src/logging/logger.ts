import pino, { type Logger } from 'pino';
import { redactDeep, type Redact } from '../secrets/redact.js';

export type { Logger } from 'pino';

/**
 * Every log line passes the redactor: configured secret values and known credential shapes never reach
 * the log, whatever a caller passes (strings, objects, errors).
 */
export function createLogger(options: {
  level: string;
  redact: Redact;
  destination?: pino.DestinationStream;
}): Logger {
  const { redact } = options;
  return pino(
    {
      level: options.level,
      base: undefined,
      hooks: {
        logMethod(args, method) {
          const safe = args.map((arg: unknown) => redactArg(arg, redact));
          method.apply(this, safe as Parameters<typeof method>);
        },
      },
      serializers: {
        err: (error: unknown) => redactArg(error, redact),
      },
    },
    options.destination,
  );
}

function redactArg(arg: unknown, redact: Redact): unknown {
  if (arg instanceof Error) {
    const withCode = arg as Error & { code?: unknown };
    return { type: arg.name, message: redact(arg.message), code: withCode.code };
  }
  if (arg !== null && typeof arg === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(arg)) out[key] = redactArg(value, redact);
    return out;
  }
  return redactDeep(arg, redact);
}
