/** Bounded responses from streamable-HTTP servers. */

// Statuses whose Response cannot carry a body.
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * `base` with every response body cut off (the stream errors) once it passes `maxBytes`, so a
 * server cannot make the runner hold an answer of any size; `onTooLarge` is told.
 */
export function boundedFetch(base: typeof fetch, maxBytes: number, onTooLarge: (reason: string) => void): typeof fetch {
  return async (input, init) => {
    const res = await base(input, init);
    if (!res.body || NULL_BODY.has(res.status)) return res;
    let seen = 0;
    const limited = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, ctl) {
          seen += chunk.byteLength;
          if (seen <= maxBytes) return ctl.enqueue(chunk);
          const reason = `the server sent a response larger than ${maxBytes} bytes, which was dropped`;
          onTooLarge(reason);
          ctl.error(new Error(reason));
        },
      }),
    );
    return new Response(limited, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
