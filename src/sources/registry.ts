/**
 * Builds a Source from its config, by the same word the YAML `type:` uses.
 */
import type { Clock } from '../clock.js';
import type { SourceConfig } from './config.js';
import { FileSource } from './file.js';
import { JournaldSource } from './journald.js';
import type { Source } from './source.js';
import { StdinSource } from './stdin.js';
import { SyslogServerSource } from './syslog-server.js';

/** `clock`: the file source's poll timer and grace periods (default the system's). */
export function createSource(cfg: SourceConfig, clock?: Clock): Source {
  switch (cfg.type) {
    case 'file':
      return new FileSource({
        path: cfg.path,
        rotated: cfg.rotated,
        pollIntervalMs: cfg.pollInterval,
        startAtBeginning: cfg.startAtBeginning,
        ...(clock === undefined ? {} : { clock }),
      });
    case 'journald':
      return new JournaldSource({ units: cfg.units, journalctlPath: cfg.journalctl });
    case 'syslog':
      return new SyslogServerSource({
        listen: cfg.listen,
        protocols: cfg.protocols,
        maxMessageBytes: cfg.maxMessageBytes,
      });
    case 'stdin':
      return new StdinSource();
  }
}
