import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';

/** A running proxy: its URL, and the hosts it refused (so a test can tell its simulation took effect). */
export interface RegistryOnlyProxy {
  url: string;
  refused: Set<string>;
  tunnelled: Set<string>;
  close(): Promise<void>;
}

/**
 * A local HTTP proxy that tunnels only to `allowedHost` (the npm registry) and answers 403 to every other
 * host at once: a hospital network or a private mirror where only the registry is reachable, without
 * depending on which outside hosts this machine can reach. npm (`https-proxy`) and onnxruntime-node's
 * install script (global-agent, `GLOBAL_AGENT_HTTPS_PROXY`) both go through it. Hand-written: proxy
 * libraries forward everything; the point here is refusing.
 */
export async function startRegistryOnlyProxy(allowedHost: string): Promise<RegistryOnlyProxy> {
  const refused = new Set<string>();
  const tunnelled = new Set<string>();
  const server: Server = createServer((req, res) => {
    // Plain-HTTP requests through the proxy: the registry is https, so nothing here is allowed.
    refused.add(new URL(req.url ?? '/', 'http://unknown').host || String(req.headers.host));
    res.writeHead(403).end('registry-only network\n');
  });
  server.on('connect', (req, client, head) => {
    const [host = '', port = '443'] = (req.url ?? '').split(':');
    if (host !== allowedHost) {
      refused.add(host);
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    tunnelled.add(host);
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    const drop = (): void => {
      upstream.destroy();
      client.destroy();
    };
    upstream.on('error', drop);
    client.on('error', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('registry-only proxy: no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    refused,
    tunnelled,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The environment that sends npm, its scripts and anything honouring the usual variables through `proxyUrl`. */
export function proxyEnv(proxyUrl: string): Record<string, string> {
  return {
    npm_config_proxy: proxyUrl,
    npm_config_https_proxy: proxyUrl,
    npm_config_noproxy: '',
    HTTP_PROXY: proxyUrl,
    HTTPS_PROXY: proxyUrl,
    http_proxy: proxyUrl,
    https_proxy: proxyUrl,
    NO_PROXY: '',
    no_proxy: '',
    GLOBAL_AGENT_HTTP_PROXY: proxyUrl,
    GLOBAL_AGENT_HTTPS_PROXY: proxyUrl,
  };
}
