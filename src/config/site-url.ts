/**
 * The public base URL when feeds.yaml gives no `site.url`: where this process serves, from
 * the listen address (HOST and PORT, read by resolveOptions; INTERFACE §4 defaults), so no
 * link ever points at someone else's host.
 */
export function defaultSiteUrl(listen: { host: string; port: number } = { host: '127.0.0.1', port: 8080 }): string {
  const { host } = listen;
  // A wildcard bind address is no place to link to; the loopback address at least works here.
  const linkHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${linkHost}:${listen.port}`;
}
