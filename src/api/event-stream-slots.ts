import { AutodevError } from '../errors.js';

export interface EventStreamLimits {
  /** `[autodev] max_event_streams`: open streams across all clients. */
  total: number;
  /** `[autodev] max_event_streams_per_client`: open streams of one client address. */
  perClient: number;
}

export interface EventStreamSlots {
  /** Takes a slot for one stream of `client`, or throws naming the cap that is full. */
  acquire(client: string): () => void;
  /** Streams open now (for tests and metrics). */
  open(): number;
}

/**
 * Counts open event streams, in total and per client address, so that a client cannot hold every file
 * descriptor of the server with streams it never reads. The release a slot returns runs once however
 * often it is called (a stream closes both when its task ends and when its socket does).
 */
export function createEventStreamSlots(limits: EventStreamLimits): EventStreamSlots {
  const byClient = new Map<string, number>();
  let total = 0;
  return {
    acquire(client) {
      const mine = byClient.get(client) ?? 0;
      if (mine >= limits.perClient) {
        throw new AutodevError(
          'TOO_MANY_EVENT_STREAMS',
          `this client holds ${mine} event streams, the most [autodev] max_event_streams_per_client (${limits.perClient}) allows: close one first`,
          { details: { key: '[autodev] max_event_streams_per_client', value: limits.perClient } },
        );
      }
      if (total >= limits.total) {
        throw new AutodevError(
          'EVENT_STREAMS_FULL',
          `${total} event streams are open, the most [autodev] max_event_streams (${limits.total}) allows: try again when one closes, or poll without stream=true`,
          { details: { key: '[autodev] max_event_streams', value: limits.total } },
        );
      }
      byClient.set(client, mine + 1);
      total += 1;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        total -= 1;
        const left = (byClient.get(client) ?? 1) - 1;
        if (left > 0) byClient.set(client, left);
        else byClient.delete(client);
      };
    },
    open: () => total,
  };
}
