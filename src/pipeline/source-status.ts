import type { Config, SourceRow, SourceRowState } from '../domain.js';
import type { SourceState, Store } from '../store/store.js';

/**
 * One row per configured source, in config order, joined with its stored state.
 * State: `disabled` when `enabled: false`; `pending` when never fetched; `error`
 * when the last fetch failed (consecutiveFailures > 0); else `ok`. Sources that
 * have stored state but are no longer configured are left out.
 */
export function sourceRows(config: Config, states: readonly SourceState[]): SourceRow[] {
  const byId = new Map(states.map((s) => [s.id, s]));
  return config.sources.map((source) => {
    const st = byId.get(source.id);
    const failures = st?.consecutiveFailures ?? 0;
    let state: SourceRowState;
    if (!source.enabled) state = 'disabled';
    else if (st === undefined || (st.lastFetchAt === undefined && failures === 0)) state = 'pending';
    else if (failures > 0) state = 'error';
    else state = 'ok';
    return {
      id: source.id,
      url: source.url,
      kind: source.kind,
      state,
      lastFetchAt: st?.lastFetchAt ?? null,
      lastStatus: st?.lastStatus ?? null,
      lastError: st?.lastError ?? null,
      consecutiveFailures: failures,
      nextRunAt: st?.nextRunAt ?? null,
      items: st?.items ?? 0,
      warnings: st?.warnings ?? [],
      warningCount: st?.warningCount ?? st?.warnings?.length ?? 0,
    };
  });
}

/** The `/api/sources` document, also printed by `finews status --json`: one function, so the two never differ. */
export async function sourcesDocument(config: Config, store: Pick<Store, 'listSourceStates'>): Promise<{ sources: SourceRow[] }> {
  return { sources: sourceRows(config, await store.listSourceStates()) };
}
