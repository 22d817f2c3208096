import { PAGE_SCRIPT, PAGE_STYLE } from './page-assets.generated.ts';

/**
 * Headers of every answer the view function gives: a Content-Security-Policy that lets the page
 * load only its own script and style sheet and talk only to its own origin (no inline script or
 * style, no third party, no framing), no MIME sniffing, and no Referer (the URL holds the token).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'strict-transport-security': 'max-age=31536000',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

/** The page's static files by name (content-hashed, so cacheable for good). */
export const PAGE_FILES: ReadonlyMap<string, { body: string; contentType: string }> = new Map([
  [PAGE_SCRIPT.name, { body: PAGE_SCRIPT.body, contentType: 'text/javascript; charset=utf-8' }],
  [PAGE_STYLE.name, { body: PAGE_STYLE.body, contentType: 'text/css; charset=utf-8' }],
]);

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The watch page of a task: a static shell holding no task data but the (already validated) id;
 * its script fetches everything else with the token from the page's URL. Asset URLs are relative,
 * so the page works under any path prefix.
 */
export function renderPage(taskId: string): string {
  const id = escape(taskId);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Task ${id} · agent-runner</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="../../assets/${PAGE_STYLE.name}">
<script type="module" src="../../assets/${PAGE_SCRIPT.name}"></script>
</head>
<body>
<header class="top">
<h1><span class="product">agent-runner</span> task <code>${id}</code></h1>
<dl id="stats"></dl>
</header>
<main>
<div id="running" class="running-line" role="status" hidden></div>
<section id="conversation" aria-label="Conversation"></section>
<section id="result" aria-label="Result" hidden></section>
<noscript>This page follows the task with JavaScript; without it, download the artifacts with <code>agent-runner result ${id} --out DIR</code>.</noscript>
</main>
</body>
</html>
`;
}

/** The one body of every 403: the same whether or not the task exists. */
export const FORBIDDEN_BODY = 'Forbidden: this link is not valid or has expired. Ask for a new one (agent-runner watch TASK_ID prints it).\n';
