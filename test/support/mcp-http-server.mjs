// Preloaded (node --import) into a server that listens on process.env.PORT without a host: it is
// made to listen on 127.0.0.1 only, and the port the system picked (PORT=0) is printed to stderr
// as `LISTENING <port>` for the test to read.
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const portOnly = typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]));
  if (portOnly && typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1');
  this.once('listening', () => {
    const a = this.address();
    if (a && typeof a === 'object') process.stderr.write(`LISTENING ${a.port}\n`);
  });
  return listen.apply(this, args);
};
