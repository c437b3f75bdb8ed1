/**
 * Live reload of feeds.yaml: a valid edit replaces the running config, an invalid one is
 * logged with every issue and ignored (INTERFACE §2).
 */
import { readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../domain.js';
import type { Logger } from '../util/log.js';
import { formatIssue, formatWarning } from './issues.js';
import { parseConfig, type ParseOptions } from './load.js';

export interface WatchConfigOptions {
  log: Logger;
  /** How each version of the file is parsed (the default site URL). */
  parse?: ParseOptions;
  /** Called with each new valid config, never with an invalid one. */
  onChange(config: Config): void;
  /** Quiet time after the last file event before the file is read. @defaultValue 250 */
  debounceMs?: number;
  /**
   * How often the file is stat'ed as a fallback for file events that never come (a single
   * file bind-mounted into a container, network filesystems); 0 turns polling off.
   * @defaultValue 2000
   */
  pollMs?: number;
  /** Watch and poll the file; false leaves `reload()` (SIGHUP) as the only trigger. @defaultValue true */
  watch?: boolean;
}

/** A running watch; `close()` stops it and drops any reload in progress. */
export interface ConfigWatcher {
  /** Reads the file now (no debounce) and applies it if its text changed and it is valid. */
  reload(): void;
  close(): void;
}

interface FileStamp {
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

function stampOf(file: string): FileStamp | undefined {
  try {
    const s = statSync(file);
    return { ino: s.ino, size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs };
  } catch {
    return undefined;
  }
}

const sameStamp = (a: FileStamp | undefined, b: FileStamp | undefined): boolean =>
  a?.ino === b?.ino && a?.size === b?.size && a?.mtimeMs === b?.mtimeMs && a?.ctimeMs === b?.ctimeMs;

/**
 * Watches the config file and calls `onChange` after each edit that leaves it valid.
 *
 * Three triggers, because no single one sees every edit wherever finews runs:
 * - the directory is watched: editors that save by renaming a new file over the old one
 *   (vim, many IDEs) and Kubernetes ConfigMaps that swap a symlinked directory replace the
 *   inode a file watch would hold;
 * - the file itself is watched (re-armed when its inode changes): a single file mounted
 *   into a container reports in-place writes on the file but nothing on its directory;
 * - the file is stat'ed every `pollMs` and read when its inode, size or times moved, for
 *   mounts that report no events at all.
 * Every trigger schedules a debounced read, and only a change in the file's text counts
 * as an edit, so the triggers overlapping costs one read, not one reload each.
 */
export function watchConfig(configPath: string, opts: WatchConfigOptions): ConfigWatcher {
  const { log } = opts;
  const debounceMs = opts.debounceMs ?? 250;
  const pollMs = opts.pollMs ?? 2_000;
  const watching = opts.watch ?? true;
  const file = path.resolve(configPath);
  let lastText: string | undefined;
  try {
    lastText = readFileSync(file, 'utf8');
  } catch {
    // Missing now is fine: the first successful read will be compared against nothing.
  }
  let lastStamp = stampOf(file);

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
    if (timer !== undefined) clearTimeout(timer);
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
      if (closed) return;
      if (watching) armFileWatch();
      if (text === lastText) return;
      lastText = text;
      const result = parseConfig(text, configPath, opts.parse);
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

  let dirWatcher: FSWatcher | undefined;
  let fileWatcher: FSWatcher | undefined;
  let fileWatchIno: number | undefined;

  /** (Re)watches the file itself whenever the inode at its path is not the one watched. */
  const armFileWatch = (): void => {
    const ino = stampOf(file)?.ino;
    if (closed || ino === undefined || (fileWatcher && ino === fileWatchIno)) return;
    fileWatcher?.close();
    fileWatcher = undefined;
    try {
      fileWatcher = watch(file, { persistent: false }, () => schedule());
      fileWatchIno = ino;
      // A file watch dies with its inode (rename-over, delete); the other triggers re-arm it.
      fileWatcher.on('error', () => {
        fileWatcher?.close();
        fileWatcher = undefined;
      });
    } catch {
      // Gone between stat and watch: the next reload or poll tries again.
    }
  };

  let poller: NodeJS.Timeout | undefined;
  if (watching) {
    try {
      dirWatcher = watch(path.dirname(file), { persistent: false }, () => schedule());
      dirWatcher.on('error', (err) => log.error({ path: configPath, err }, 'config directory watcher failed; relying on polling'));
    } catch (err) {
      log.warn({ path: configPath, err }, 'cannot watch the config directory; relying on the file watch and polling');
    }
    armFileWatch();
    if (pollMs > 0) {
      poller = setInterval(() => {
        const stamp = stampOf(file);
        if (sameStamp(stamp, lastStamp)) return;
        lastStamp = stamp;
        armFileWatch();
        schedule();
      }, pollMs);
      poller.unref();
    }
  }

  return {
    reload(): void {
      void reload();
    },
    close(): void {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      if (poller !== undefined) clearInterval(poller);
      dirWatcher?.close();
      fileWatcher?.close();
    },
  };
}
