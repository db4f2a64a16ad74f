/**
 * A lean subscriber for bench/events.ts: one GraphQL subscription over Server-Sent Events in graphql-sse's
 * "distinct connections" mode (POST to /graphql/stream with `accept: text/event-stream`; `next` events carry the
 * results, `complete` ends), one HTTP connection each, parsed by hand so that thousands fit in one client process.
 */

export interface SseSubscriber {
  /** Resolves when the response headers arrived (the stream is open); rejects when the request failed. */
  opened: Promise<void>;
  /** Results with errors (a refusal such as TOO_MANY_SUBSCRIPTIONS) and stream failures, counted. */
  readonly failures: string[];
  /** The stream ended (complete, or the connection closed). */
  readonly ended: boolean;
  close(): void;
}

export function openSubscriber(
  url: string,
  headers: Record<string, string>,
  body: { query: string; variables?: Record<string, unknown> },
  onData: (data: any, receivedAt: number) => void,
): SseSubscriber {
  const controller = new AbortController();
  const failures: string[] = [];
  let ended = false;
  const opened = (async () => {
    const response = await fetch(`${url}/graphql/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    if (response.status !== 200 || !response.body) throw new Error(`the stream answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
    return response.body;
  })();
  void opened.then(
    async (stream) => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        const reader = stream.getReader();
        for (;;) {
          const { value: chunk, done } = await reader.read();
          if (done) break;
          const receivedAt = performance.now();
          buffer += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const message = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let event = 'message';
            let data = '';
            for (const line of message.split('\n')) {
              if (line.startsWith('event:')) event = line.slice(6).trim();
              else if (line.startsWith('data:')) data += line.slice(5).trimStart();
            }
            if (event !== 'next' || !data) continue;
            const result = JSON.parse(data) as { data?: unknown; errors?: { message?: string; extensions?: { code?: string } }[] };
            if (result.errors?.length) failures.push(`${result.errors[0]?.extensions?.code ?? 'ERROR'}: ${result.errors[0]?.message ?? ''}`);
            else onData(result.data, receivedAt);
          }
        }
      } catch (error) {
        if (!controller.signal.aborted) failures.push(`stream failed: ${String(error)}`);
      } finally {
        ended = true;
      }
    },
    (error: unknown) => {
      ended = true;
      if (!controller.signal.aborted) failures.push(`open failed: ${String(error)}`);
    },
  );
  return {
    opened: opened.then(() => undefined),
    failures,
    get ended() {
      return ended;
    },
    close: () => controller.abort(),
  };
}
