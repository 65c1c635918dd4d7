// Starts the pinned Portkey gateway bound to 127.0.0.1 only. Its own entry point (build/start-server.js, the
// package's bin) takes --port=N but always listens on every interface; the tests must not open a port beyond
// loopback, so the host is fixed here before the gateway's module runs.
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (port, host, ...rest) {
  if (typeof port === 'number' && (host === undefined || typeof host === 'function')) {
    return listen.call(this, port, '127.0.0.1', ...(typeof host === 'function' ? [host, ...rest] : rest));
  }
  return listen.call(this, port, host, ...rest);
};

await import('@portkey-ai/gateway/build/start-server.js');
