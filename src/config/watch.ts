/**
 * Live reload of feeds.yaml: a valid edit replaces the running config, an invalid one is
 * logged with every issue and ignored (INTERFACE §2).
 */
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../domain.js';
import type { Logger } from '../util/log.js';
import { formatIssue, formatWarning } from './issues.js';
import { parseConfig } from './load.js';

export interface WatchConfigOptions {
  log: Logger;
  /** Called with each new valid config, never with an invalid one. */
  onChange(config: Config): void;
  /** Quiet time after the last file event before the file is read. @defaultValue 250 */
  debounceMs?: number;
}

/** A running watch; `close()` stops it and drops any reload in progress. */
export interface ConfigWatcher {
  close(): void;
}

/**
 * Watches the config file and calls `onChange` after each edit that leaves it valid.
 *
 * The directory is watched rather than the file: editors that save by writing a new file
 * and renaming it over the old one (vim, many IDEs), and Kubernetes ConfigMaps that swap a
 * symlinked directory, replace the inode a file watch would hold. Any event in the directory
 * schedules a debounced read, and only a change in the file's text counts as an edit.
 */
export function watchConfig(configPath: string, opts: WatchConfigOptions): ConfigWatcher {
  const { log } = opts;
  const debounceMs = opts.debounceMs ?? 250;
  const file = path.resolve(configPath);
  let lastText: string | undefined;
  try {
    lastText = readFileSync(file, 'utf8');
  } catch {
    // Missing now is fine: the first successful read will be compared against nothing.
  }

  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let reloading = false;
  let again = false;

  const schedule = (): void => {
    if (closed) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => void reload(), debounceMs);
  };

  const reload = async (): Promise<void> => {
    timer = undefined;
    if (closed) return;
    if (reloading) {
      again = true;
      return;
    }
    reloading = true;
    try {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        // Mid-rename the file can be briefly absent; the next event brings it back.
        log.warn({ path: configPath, err }, 'config file unreadable; keeping last good config');
        return;
      }
      if (closed || text === lastText) return;
      lastText = text;
      const result = parseConfig(text, configPath);
      if (!result.ok) {
        log.error({ path: configPath, issues: result.errors.map(formatIssue) }, 'config invalid; keeping last good config');
        return;
      }
      if (result.warnings.length > 0) {
        log.warn({ path: configPath, warnings: result.warnings.map(formatWarning) }, 'config has warnings');
      }
      try {
        opts.onChange(result.config);
      } catch (err) {
        log.error({ path: configPath, err }, 'applying the new config failed');
      }
    } finally {
      reloading = false;
      if (again) {
        again = false;
        schedule();
      }
    }
  };

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(path.dirname(file), { persistent: false }, () => schedule());
    watcher.on('error', (err) => log.error({ path: configPath, err }, 'config watcher failed; edits are no longer picked up'));
  } catch (err) {
    log.error({ path: configPath, err }, 'cannot watch config; edits will not be picked up');
  }

  return {
    close(): void {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      watcher?.close();
    },
  };
}
