/**
 * A loopback model server that answers from a script, speaking the real OpenAI chat-completions
 * and Anthropic Messages wire protocols (JSON and SSE), so autodev's clients are tested over HTTP
 * exactly as against a provider. Replies are served in order to whichever protocol asks next.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedReply {
  text?: string;
  toolCalls?: { name: string; arguments: unknown }[];
  /** An HTTP error status instead of a reply; the body is `errorBody` or the provider's error shape. */
  status?: number;
  errorBody?: unknown;
  /** Wait this long before the response starts. */
  delayMs?: number;
  /** Wait this long between stream events (a slow model; lets tests abort mid-stream). */
  chunkDelayMs?: number;
  /** `input` counts all input tokens; `cached` of them are reported as read from the prompt cache. */
  usage?: { input: number; output: number; cached?: number };
  /** Overrides the finish reason the reply carries ("length", "content_filter"...), in the protocol's own words. */
  finishReason?: string;
}

export type ScriptedProtocol = 'openai' | 'anthropic';

export interface RecordedRequest {
  protocol: ScriptedProtocol;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body. */
  body: unknown;
}

export interface ScriptedModelServer {
  baseUrl: string;
  openaiUrl: string;
  anthropicUrl: string;
  requests: RecordedRequest[];
  push(...replies: ScriptedReply[]): void;
  /**
   * Drops the replies no request took and returns them: a test whose task ended before asking (a
   * cancel, a timeout) must not hand its slow reply to the next test's task.
   */
  clear(): ScriptedReply[];
  close(): Promise<void>;
}

export interface ScriptedServerOptions {
  /** The model name the replies carry; defaults to the request's `model`. */
  model?: string;
  /**
   * The key `GET /v1/models` accepts (Bearer or x-api-key), as a provider's model listing checks it;
   * any key when absent. Chat requests are answered whatever their key.
   */
  apiKey?: string;
}

const OPENAI_PATH = '/v1/chat/completions';
const ANTHROPIC_PATH = '/v1/messages';

export async function startScriptedModelServer(
  script: ScriptedReply[] = [],
  options: ScriptedServerOptions = {},
): Promise<ScriptedModelServer> {
  const queue = [...script];
  const requests: RecordedRequest[] = [];
  let sequence = 0;

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(error) } });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const protocol: ScriptedProtocol | undefined =
      path === OPENAI_PATH ? 'openai' : path === ANTHROPIC_PATH ? 'anthropic' : undefined;
    const raw = await readBody(req);
    if (req.method === 'GET' && path === '/v1/models') {
      // The listing both providers offer, which `autodev doctor` reads to check the endpoint and key.
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const key = bearer ?? req.headers['x-api-key'];
      if (options.apiKey !== undefined && key !== options.apiKey) {
        sendJson(res, 401, { error: { message: 'invalid api key', type: 'authentication_error' } });
        return;
      }
      sendJson(res, 200, {
        object: 'list',
        data: [{ id: options.model ?? 'scripted-model', object: 'model' }],
      });
      return;
    }
    if (req.method !== 'POST' || protocol === undefined) {
      sendJson(res, 404, { error: { message: `no route for ${req.method ?? '?'} ${path}` } });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      sendJson(res, 400, errorShape(protocol, 400, 'request body is not JSON'));
      return;
    }
    requests.push({ protocol, method: req.method, path, headers: req.headers, body });

    const reply = queue.shift();
    if (reply === undefined) {
      sendJson(
        res,
        500,
        errorShape(
          protocol,
          500,
          `scripted model server: script exhausted after ${requests.length - 1} replies`,
        ),
      );
      return;
    }
    if (reply.delayMs !== undefined && !(await sleep(reply.delayMs, res))) return;
    if (reply.status !== undefined && reply.status >= 400) {
      sendJson(
        res,
        reply.status,
        reply.errorBody ?? errorShape(protocol, reply.status, `scripted error ${reply.status}`),
      );
      return;
    }

    sequence += 1;
    const model = options.model ?? stringField(body, 'model') ?? 'scripted-model';
    const usage = reply.usage ?? estimateUsage(raw, reply);
    const context: ReplyContext = { id: String(sequence), model, usage, reply };
    const stream = isRecord(body) && body['stream'] === true;
    if (protocol === 'openai') {
      const includeUsage =
        isRecord(body) &&
        isRecord(body['stream_options']) &&
        body['stream_options']['include_usage'] === true;
      if (stream) await writeSse(res, openAiChunks(context, includeUsage), reply.chunkDelayMs);
      else sendJson(res, 200, openAiCompletion(context));
    } else if (stream) await writeSse(res, anthropicEvents(context), reply.chunkDelayMs);
    else sendJson(res, 200, anthropicMessage(context));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;

  return {
    baseUrl,
    openaiUrl: `${baseUrl}${OPENAI_PATH}`,
    anthropicUrl: `${baseUrl}${ANTHROPIC_PATH}`,
    requests,
    push: (...replies) => queue.push(...replies),
    clear: () => queue.splice(0),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface ReplyContext {
  id: string;
  model: string;
  usage: { input: number; output: number; cached?: number };
  reply: ScriptedReply;
}

/** One SSE event: `event` is set for Anthropic, OpenAI sends bare `data:` lines. */
interface SseEvent {
  event?: string;
  data: string;
}

function openAiCompletion({ id, model, usage, reply }: ReplyContext): Record<string, unknown> {
  const toolCalls = (reply.toolCalls ?? []).map((call, index) => ({
    id: `call_${id}_${index}`,
    type: 'function',
    function: { name: call.name, arguments: JSON.stringify(call.arguments) },
  }));
  return {
    id: `chatcmpl-${id}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: reply.text ?? null,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: reply.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
      },
    ],
    usage: openAiUsage(usage),
  };
}

function openAiChunks({ id, model, usage, reply }: ReplyContext, includeUsage: boolean): SseEvent[] {
  const created = Math.floor(Date.now() / 1000);
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): SseEvent => ({
    data: JSON.stringify({
      id: `chatcmpl-${id}`,
      object: 'chat.completion.chunk',
      created,
      model,
      choices,
      ...extra,
    }),
  });
  const delta = (value: Record<string, unknown>, finishReason: string | null = null): unknown => ({
    index: 0,
    delta: value,
    logprobs: null,
    finish_reason: finishReason,
  });

  const events: SseEvent[] = [chunk([delta({ role: 'assistant', content: '', refusal: null })])];
  for (const piece of fragments(reply.text ?? '')) events.push(chunk([delta({ content: piece })]));
  (reply.toolCalls ?? []).forEach((call, index) => {
    events.push(
      chunk([
        delta({
          tool_calls: [
            {
              index,
              id: `call_${id}_${index}`,
              type: 'function',
              function: { name: call.name, arguments: '' },
            },
          ],
        }),
      ]),
    );
    // Arguments arrive in fragments, as real providers send them.
    for (const piece of fragments(JSON.stringify(call.arguments))) {
      events.push(chunk([delta({ tool_calls: [{ index, function: { arguments: piece } }] })]));
    }
  });
  const finish = reply.finishReason ?? ((reply.toolCalls ?? []).length > 0 ? 'tool_calls' : 'stop');
  events.push(chunk([delta({}, finish)]));
  if (includeUsage) events.push(chunk([], { usage: openAiUsage(usage) }));
  events.push({ data: '[DONE]' });
  return events;
}

function openAiUsage(usage: { input: number; output: number; cached?: number }): Record<string, unknown> {
  return {
    prompt_tokens: usage.input,
    completion_tokens: usage.output,
    total_tokens: usage.input + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cached ?? 0 },
  };
}

/** Anthropic counts cache reads apart: input_tokens are only the uncached rest. */
function anthropicUsage(usage: { input: number; cached?: number }): Record<string, number> {
  return {
    input_tokens: usage.input - (usage.cached ?? 0),
    cache_read_input_tokens: usage.cached ?? 0,
    cache_creation_input_tokens: 0,
  };
}

function anthropicContent(id: string, reply: ScriptedReply): Record<string, unknown>[] {
  const blocks: Record<string, unknown>[] = [];
  if (reply.text !== undefined && reply.text !== '')
    blocks.push({ type: 'text', text: reply.text, citations: null });
  (reply.toolCalls ?? []).forEach((call, index) => {
    blocks.push({ type: 'tool_use', id: `toolu_${id}_${index}`, name: call.name, input: call.arguments });
  });
  return blocks;
}

function anthropicStopReason(reply: ScriptedReply): string {
  return reply.finishReason ?? ((reply.toolCalls ?? []).length > 0 ? 'tool_use' : 'end_turn');
}

function anthropicMessage({ id, model, usage, reply }: ReplyContext): Record<string, unknown> {
  return {
    id: `msg_${id}`,
    type: 'message',
    role: 'assistant',
    model,
    content: anthropicContent(id, reply),
    stop_reason: anthropicStopReason(reply),
    stop_sequence: null,
    usage: { ...anthropicUsage(usage), output_tokens: usage.output },
  };
}

function anthropicEvents({ id, model, usage, reply }: ReplyContext): SseEvent[] {
  const event = (type: string, data: Record<string, unknown>): SseEvent => ({
    event: type,
    data: JSON.stringify({ type, ...data }),
  });
  const events: SseEvent[] = [
    event('message_start', {
      message: {
        id: `msg_${id}`,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...anthropicUsage(usage), output_tokens: 1 },
      },
    }),
    event('ping', {}),
  ];
  anthropicContent(id, reply).forEach((block, index) => {
    if (block['type'] === 'text') {
      events.push(event('content_block_start', { index, content_block: { type: 'text', text: '' } }));
      for (const piece of fragments(reply.text ?? '')) {
        events.push(event('content_block_delta', { index, delta: { type: 'text_delta', text: piece } }));
      }
    } else {
      events.push(event('content_block_start', { index, content_block: { ...block, input: {} } }));
      for (const piece of fragments(JSON.stringify(block['input']))) {
        events.push(
          event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } }),
        );
      }
    }
    events.push(event('content_block_stop', { index }));
  });
  events.push(
    event('message_delta', {
      delta: { stop_reason: anthropicStopReason(reply), stop_sequence: null },
      usage: { output_tokens: usage.output },
    }),
    event('message_stop', {}),
  );
  return events;
}

function errorShape(protocol: ScriptedProtocol, status: number, message: string): unknown {
  if (protocol === 'anthropic') {
    return { type: 'error', error: { type: status >= 500 ? 'api_error' : 'invalid_request_error', message } };
  }
  return {
    error: {
      message,
      type: status >= 500 ? 'server_error' : 'invalid_request_error',
      param: null,
      code: null,
    },
  };
}

/** Splits text into small pieces so clients must accumulate. */
function fragments(text: string): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += 7) pieces.push(text.slice(i, i + 7));
  return pieces;
}

function estimateUsage(rawRequest: string, reply: ScriptedReply): { input: number; output: number } {
  const output = (reply.text ?? '').length + JSON.stringify(reply.toolCalls ?? []).length;
  return { input: Math.ceil(rawRequest.length / 4), output: Math.max(1, Math.ceil(output / 4)) };
}

async function writeSse(res: ServerResponse, events: SseEvent[], chunkDelayMs = 0): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.flushHeaders();
  for (const event of events) {
    if (chunkDelayMs > 0 && !(await sleep(chunkDelayMs, res))) return;
    if (res.destroyed) return;
    res.write(`${event.event === undefined ? '' : `event: ${event.event}\n`}data: ${event.data}\n\n`);
  }
  res.end();
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Resolves false when the client went away meanwhile, so an aborted request stops being served. */
function sleep(ms: number, res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(!res.destroyed);
    }, ms);
    res.once('close', onClose);
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(value: unknown, key: string): string | undefined {
  if (!isRecord(value)) return undefined;
  const field = value[key];
  return typeof field === 'string' ? field : undefined;
}
