/**
 * Wake-ups for the file source: fs.watch (inotify) on the file and its
 * directory, with no debounce, and a poll timer as the fallback for every
 * event a watch can miss (or a watch that cannot be had at all).
 */
import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type { Clock } from '../clock.js';

export class Waker {
  /** Something happened while no one was waiting: the next wait returns at once. */
  private dirty = false;
  private wakeFn: (() => void) | null = null;
  private dirWatcher: FSWatcher | null = null;
  private fileWatcher: FSWatcher | null = null;
  private watchedIno: string | null = null;

  /** `concerns`: whether a change to this name in the directory matters (the file, its rotated copies). */
  constructor(
    private readonly path: string,
    private readonly concerns: (name: string) => boolean,
    private readonly pollMs: number,
    private readonly clock: Clock,
  ) {}

  readonly wake = (): void => {
    if (this.wakeFn) this.wakeFn();
    else this.dirty = true;
  };

  /** Makes the next wait() return at once. */
  again(): void {
    this.dirty = true;
  }

  /** Forgets the events seen so far: the caller is about to look at everything. */
  clear(): void {
    this.dirty = false;
  }

  /** Waits for an event or the poll interval; true when the poll interval ran out. */
  wait(): Promise<boolean> {
    if (this.dirty) return Promise.resolve(false);
    return new Promise((done) => {
      const timer = this.clock.after(this.pollMs, () => {
        this.wakeFn = null;
        this.watchDir(); // it may exist by now
        done(true);
      });
      this.wakeFn = () => {
        timer.stop();
        this.wakeFn = null;
        done(false);
      };
    });
  }

  watchDir(): void {
    if (this.dirWatcher) return;
    this.dirWatcher = this.tryWatch(dirname(this.path), (name) => {
      if (name === null || this.concerns(name)) this.wake();
    });
  }

  /** Watches the file now at the path (inotify follows the inode, wherever it goes). */
  watchFile(ino: string): void {
    if (this.watchedIno === ino && this.fileWatcher) return;
    this.fileWatcher?.close();
    this.fileWatcher = this.tryWatch(this.path, () => this.wake());
    this.watchedIno = this.fileWatcher ? ino : null;
  }

  close(): void {
    this.wakeFn?.();
    this.dirWatcher?.close();
    this.fileWatcher?.close();
    this.dirWatcher = this.fileWatcher = this.watchedIno = null;
  }

  private tryWatch(target: string, onEvent: (name: string | null) => void): FSWatcher | null {
    try {
      const w = watch(target, { persistent: false }, (_event, name) => onEvent(name));
      w.on('error', () => {
        w.close();
        if (this.dirWatcher === w) this.dirWatcher = null;
        if (this.fileWatcher === w) this.fileWatcher = this.watchedIno = null;
      });
      return w;
    } catch {
      return null;
    }
  }
}
