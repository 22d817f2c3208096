/**
 * The MCP servers the tests run: the reference servers from npm (server-everything over stdio or
 * streamable HTTP, server-filesystem) and the deliberately broken test/fixtures/mcp/bad-server.mjs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './cli.ts';
import type { McpServerConfig } from '../../src/config/index.ts';

const pkg = (name: string) => path.join(ROOT, 'node_modules', '@modelcontextprotocol', name, 'dist', 'index.js');
export const EVERYTHING = pkg('server-everything');
export const FILESYSTEM = pkg('server-filesystem');
export const BAD_SERVER = path.join(ROOT, 'test', 'fixtures', 'mcp', 'bad-server.mjs');

/** A resolved stdio server running `node ARGS`, with test-sized timeouts; `over` wins. */
export function stdioServer(name: string, args: string[], over: Partial<McpServerConfig> = {}): McpServerConfig {
  return { name, transport: 'stdio', command: process.execPath, args, env: {}, envVars: [], httpHeaders: {}, envHttpHeaders: {}, startupTimeoutMs: 20_000, toolTimeoutMs: 20_000, disabledTools: [], ...over };
}

/** TOML lines of a `[mcp_servers.NAME]` table running `node ARGS` (for configuration files). */
export function stdioToml(name: string, args: string[], extra: string[] = []): string[] {
  return [`[mcp_servers.${name}]`, `command = ${JSON.stringify(process.execPath)}`, `args = ${JSON.stringify(args)}`, ...extra];
}

export interface HttpServer {
  url: string;
  /** Requests' Authorization headers as the server saw them (when `recordAuth`). */
  close(): Promise<void>;
}

/** server-everything in streamable-HTTP mode on 127.0.0.1 and a free port; `url` is its /mcp endpoint. */
export async function startEverythingHttp(): Promise<HttpServer> {
  const child = spawn(process.execPath, ['--import', path.join(ROOT, 'test', 'support', 'mcp-http-server.mjs'), EVERYTHING, 'streamableHttp'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PORT: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`server-everything did not listen in time: ${err}`)), 30_000);
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /LISTENING (\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`server-everything exited with ${code}: ${err}`)));
  });
  return { url: `http://127.0.0.1:${port}/mcp`, close: () => stop(child) };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
