import path from 'node:path';
import { expect, it } from 'vitest';
import { startServer } from '../../src/http/server.js';
import type { Jobs, PipelineDeps } from '../../src/pipeline/ports.js';
import { prune } from '../../src/pipeline/prune.js';
import { publishAll } from '../../src/pipeline/publish.js';
import { InProcessJobs, pipelineProcessors } from '../../src/runtime/in-process-jobs.js';
import { silentLogger } from '../../src/util/log.js';
import { configYaml, useFixtureSite, writeConfig } from '../support/harness.js';
import { SEED_CODE, threeFeedSite } from '../support/news-fixtures.js';
import { runPass } from '../support/pass.js';

const fixture = useFixtureSite();
const DAY = 24 * 60 * 60 * 1000;

it('prunes items past retention, keeps their claims, and their emptied category feeds become 404', async () => {
  const { site, dir } = fixture;
  const configPath = await writeConfig(dir, configYaml(threeFeedSite(site), { site: { retentionDays: 30 } }));
  const { runtime, close } = await runPass({ configPath, dataDir: path.join(dir, 'data') });
  const server = await startServer(
    // As `finews start` wires it: this process's publishing hands the server what it stores and deletes.
    { config: runtime.config, store: runtime.store, metrics: runtime.metrics, log: silentLogger(), ready: runtime.ready, documents: runtime.documents() },
    { host: '127.0.0.1', port: 0 },
  );
  try {
    await publishAll(runtime.deps);
    expect((await fetch(`${server.url}/feeds/policy.xml`)).status).toBe(200);

    // Forty days on, every item is past retention by both its date and when it was stored.
    const later = (sink: Jobs): PipelineDeps => ({ ...runtime.pipeline(sink), now: () => new Date(Date.now() + 40 * DAY) });
    const jobs = new InProcessJobs(pipelineProcessors(later), { log: runtime.log, publishDebounceMs: 10 });
    expect(await prune(later(jobs))).toBe(3);
    await jobs.onIdle();

    expect((await runtime.store.listItems({ limit: 10 })).items).toHaveLength(0);
    expect((await fetch(`${server.url}/feeds/policy.xml`)).status).toBe(404);
    expect((await fetch(`${server.url}/feeds/zhongguogongyebao.atom`)).status).toBe(404);
    expect((await fetch(`${server.url}/feeds/all.xml`)).status).toBe(200);
    // The claim outlives the item, so the same article is not ingested again.
    expect(await runtime.store.claim(`ic-${SEED_CODE}`, 'industry', [])).toMatchObject({ isNew: false, pending: false });
  } finally {
    await server.close();
    await close();
  }
});
