import { ViewLinkError } from './errors.ts';
import { DEFAULT_VIEW_TTL_SECONDS, signViewToken } from './token.ts';

/** What makes watch-page links: the page's base URL, the key, the clock and the lifetime. */
export interface ViewLinkSettings {
  /** The view function's URL (`https://<id>.lambda-url.<region>.on.aws/`, or a local one). */
  baseUrl: string;
  /** The HMAC key (read from Secrets Manager, or a local value); called once per link. */
  key: () => Promise<string>;
  clock: () => number;
  /** Seconds a link stays valid (default 7 days). */
  ttlSeconds?: number;
}

/** Makes the watch-page link of a task. */
export type ViewLinker = (taskId: string) => Promise<string>;

/**
 * `<base>/tasks/<taskId>/view?token=<token>`, the base's own path kept (a proxy may serve the page
 * under a prefix). Throws ViewLinkError when the base is not an http(s) URL.
 */
export function viewUrl(baseUrl: string, taskId: string, token: string): string {
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch {
    throw new ViewLinkError('baseUrl', `the view URL ${JSON.stringify(baseUrl)} is not a URL`);
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new ViewLinkError('baseUrl', `the view URL ${JSON.stringify(baseUrl)} is not http(s)`);
  const prefix = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  return `${base.origin}${prefix}tasks/${encodeURIComponent(taskId)}/view?token=${encodeURIComponent(token)}`;
}

/** A linker signing tokens that expire `ttlSeconds` (default 7 days) after the clock's now. */
export function createViewLinker(settings: ViewLinkSettings): ViewLinker {
  const ttl = settings.ttlSeconds ?? DEFAULT_VIEW_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl <= 0) throw new ViewLinkError('ttlSeconds', `the link lifetime must be a positive whole number of seconds, got ${ttl}`);
  viewUrl(settings.baseUrl, 'check', 'check');
  return async (taskId) => {
    const expiresAt = Math.floor(settings.clock() / 1000) + ttl;
    return viewUrl(settings.baseUrl, taskId, signViewToken(await settings.key(), taskId, expiresAt));
  };
}
