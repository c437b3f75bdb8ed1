/**
 * The public base URL when feeds.yaml gives no `site.url`: where this process serves,
 * from HOST and PORT (INTERFACE §4 defaults), so no link ever points at someone else's host.
 */
export function defaultSiteUrl(env: NodeJS.ProcessEnv = process.env): string {
  const host = env.HOST || '127.0.0.1';
  // A wildcard bind address is no place to link to; the loopback address at least works here.
  const linkHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${linkHost}:${env.PORT || '8080'}`;
}
