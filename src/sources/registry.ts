/**
 * Builds a Source from its config, by the same word the YAML `type:` uses.
 */
import type { SourceConfig } from './config.js';
import { FileSource } from './file.js';
import { JournaldSource } from './journald.js';
import type { Source } from './source.js';
import { StdinSource } from './stdin.js';
import { SyslogServerSource } from './syslog-server.js';

export function createSource(cfg: SourceConfig): Source {
  switch (cfg.type) {
    case 'file':
      return new FileSource({
        path: cfg.path,
        rotated: cfg.rotated,
        pollIntervalMs: cfg.pollInterval,
        startAtBeginning: cfg.startAtBeginning,
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
