/**
 * Opening the LMDB environment, with every way that can fail turned into one StoreError naming the
 * path and the reason. lmdb-js's own errors are a raw stack from deep inside its open(), and it
 * guesses "a path with an extension is a file" (`noSubdir`), which would make `tickvisor.d/` fail
 * or land beside the directory: a store is always a directory here, whatever its name.
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { open, type RootDatabase } from 'lmdb';
import { StoreError } from './errors.js';

/**
 * The map a writer opens with when none is configured: address space only (the file grows with
 * its data, and only pages read are resident). lmdb-js starts with a small map and remaps it larger
 * as the file grows, and every older mapping it keeps stays resident beside the new one: at 5,000
 * symbols a 12.9 MB file had seven mappings holding 23.8 MB of RSS. One large map never remaps.
 * Not on Windows, where LMDB sizes the file itself to the map; lmdb-js still grows a full map.
 */
const WRITER_MAP_SIZE = process.platform === 'win32' ? undefined : 16 * 1024 ** 3;

export interface EnvOptions {
  path: string;
  noSync: boolean;
  mapSize?: number;
  /** open an existing store for reading only: nothing is created, nothing needs to be writable */
  readOnly?: boolean;
}

export function openEnvironment(options: EnvOptions): RootDatabase {
  const { path } = options;
  const fail = (reason: string, cause?: unknown): never => {
    throw new StoreError('TV_ERR_STORE_OPEN', `cannot open the store at ${path}: ${reason}`, { cause, userError: true });
  };
  try {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat === undefined) {
      if (options.readOnly) fail('no such directory');
      mkdirSync(path, { recursive: true });
    } else if (!stat.isDirectory()) fail('it is a file, not a directory');
    if (options.readOnly) {
      if (statSync(`${path}/data.mdb`, { throwIfNoEntry: false }) === undefined) fail('no store here (no data.mdb)');
      accessSync(path, constants.R_OK | constants.X_OK);
    } else {
      // LMDB needs to create lock.mdb and data.mdb there; ask now rather than read its error later
      accessSync(path, constants.W_OK | constants.X_OK);
    }
  } catch (error) {
    if (error instanceof StoreError) throw error;
    fail(reasonOf(error), error);
  }
  try {
    return open({
      path,
      noSubdir: false,
      ...(options.readOnly ? { readOnly: true } : {}),
      // sync stays on unless a test opts out: a committed batch must survive SIGKILL and power loss
      noSync: options.noSync,
      ...mapSizeOption(options),
      // records, cursors, tradeIds, idBlocks, meta, quarantine, rawFrames, rawListings, bookRecords,
      // bookSyncs, and room to grow
      maxDbs: 16,
      // Off on purpose: with event-turn batching lmdb-js opens a batch of its own each turn whose
      // commit promise nobody can reach, so a failed commit (disk full) became an unhandled
      // rejection that killed the process. Every write here is an explicit transaction anyway.
      eventTurnBatching: false,
    });
  } catch (error) {
    return fail(reasonOf(error), error);
  }
}

function mapSizeOption(options: EnvOptions): { mapSize?: number } {
  if (options.mapSize !== undefined) return { mapSize: options.mapSize };
  return options.readOnly || WRITER_MAP_SIZE === undefined ? {} : { mapSize: WRITER_MAP_SIZE };
}

/** a short human reason from a Node or LMDB error */
export function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOTDIR':
      return 'a part of the path is a file, not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EISDIR':
      return 'is a directory where a file was expected';
    default: {
      const message = error instanceof Error ? error.message : String(error);
      return message.split('\n')[0] ?? message;
    }
  }
}
