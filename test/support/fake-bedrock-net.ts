import type net from 'node:net';
import { Duplex } from 'node:stream';

/** A Duplex over a socket that first replays `head` (the bytes read to sniff the protocol). */
export function replaySocket(socket: net.Socket, head: Buffer): Duplex {
  const d = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk, encoding, cb) {
      socket.write(chunk, encoding, cb);
    },
    final(cb) {
      socket.end();
      cb();
    },
    destroy(err, cb) {
      socket.destroy(err ?? undefined);
      cb(err);
    },
  });
  const props = d as unknown as Record<string, unknown>;
  for (const k of ['remoteAddress', 'remotePort', 'remoteFamily', 'localAddress', 'localPort'] as const) props[k] = socket[k];
  props.encrypted = false;
  props.setNoDelay = (v?: boolean) => (socket.setNoDelay(v), d);
  props.setKeepAlive = (e?: boolean, ms?: number) => (socket.setKeepAlive(e, ms), d);
  props.setTimeout = (ms: number, cb?: () => void) => {
    socket.setTimeout(ms);
    if (cb) d.once('timeout', cb);
    return d;
  };
  props.ref = () => (socket.ref(), d);
  props.unref = () => (socket.unref(), d);
  socket.on('timeout', () => d.emit('timeout'));
  socket.on('data', (c) => {
    if (!d.push(c)) socket.pause();
  });
  socket.on('end', () => d.push(null));
  socket.on('error', (e) => d.destroy(e));
  socket.on('close', () => {
    if (!d.destroyed) d.destroy();
  });
  if (head.length) d.push(head);
  return d;
}
