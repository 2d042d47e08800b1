/**
 * The one line a command prints when it cannot use the store, translated.
 * Exit statuses (store/errors.ts): 1 when there is no store yet, 2 when an
 * admin must fix something (permissions, a damaged file, a second daemon).
 */
import type { Translate } from '../i18n/index.js';
import { DaemonRunningError, StoreOpenError } from '../store/errors.js';

export function isStoreError(err: unknown): err is StoreOpenError | DaemonRunningError {
  return err instanceof StoreOpenError || err instanceof DaemonRunningError;
}

export function storeErrorText(err: StoreOpenError | DaemonRunningError, t: Translate): string {
  if (err instanceof DaemonRunningError) {
    return err.pid === null
      ? t('store.error.daemonRunningNoPid', { path: err.store, lock: err.lockFile })
      : t('store.error.daemonRunning', { path: err.store, pid: err.pid });
  }
  const detail = err.cause instanceof Error ? err.cause.message : err.message;
  return t(`store.error.${err.problem}`, { path: err.path, detail });
}
