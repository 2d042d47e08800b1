/**
 * `sheriff fleet init|add-host|revoke-host`: writes the fleet's NATS server
 * configuration and credentials (src/fleet/setup.ts) and tells the admin what
 * to copy where. Nothing here talks to NATS; a change takes effect when the
 * admin reloads nats-server, which the output says.
 */
import type { Command } from 'commander';
import { hostname } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { FleetState } from '../fleet/credentials.js';
import type { MessageKey } from '../i18n/index.js';
import { UsageError, type CliContext } from './common.js';

export const DEFAULT_FLEET_DIR = '/etc/sheriff/fleet';

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function registerFleet(program: Command, ctx: CliContext): void {
  const { t } = ctx;
  const fleet = program.command('fleet').description(t('fleet.command.description'));

  /** Runs a setup step; its refusals become usage errors in the admin's language. */
  async function step<T>(action: () => T | Promise<T>): Promise<T> {
    const { FleetSetupError } = await import('../fleet/setup.js');
    try {
      return await action();
    } catch (err) {
      if (err instanceof FleetSetupError) {
        throw new UsageError(t(`fleet.error.${err.code}` as MessageKey, err.params));
      }
      throw err;
    }
  }

  fleet
    .command('init')
    .description(t('fleet.init.description'))
    .requiredOption('--hosts <names>', t('fleet.init.opt.hosts'))
    .option('--dir <dir>', t('fleet.opt.dir'), DEFAULT_FLEET_DIR)
    .option('--tls', t('fleet.init.opt.tls'), false)
    .option('--server-name <names>', t('fleet.init.opt.serverName'))
    .option('--listen <address>', t('fleet.init.opt.listen'), '0.0.0.0:4222')
    .option('--store-dir <dir>', t('fleet.init.opt.storeDir'), '/var/lib/nats/jetstream')
    .option('--cluster <nodes>', t('fleet.init.opt.cluster'))
    .option('--cluster-listen <addresses>', t('fleet.init.opt.clusterListen'))
    .action(
      async (o: {
        hosts: string;
        dir: string;
        tls: boolean;
        serverName?: string;
        listen: string;
        storeDir: string;
        cluster?: string;
        clusterListen?: string;
      }) => {
        const hosts = list(o.hosts);
        if (hosts.length === 0) throw new UsageError(t('fleet.error.no-hosts'));
        const cluster = o.cluster === undefined ? undefined : Number(o.cluster);
        if (o.cluster !== undefined && !/^\d+$/.test(o.cluster))
          throw new UsageError(t('fleet.error.bad-cluster', { count: o.cluster }));
        if (cluster === undefined && o.clusterListen !== undefined)
          throw new UsageError(t('fleet.error.cluster-listen-alone'));
        const serverNames = o.serverName === undefined ? [hostname()] : list(o.serverName);
        const { isServerName } = await import('../fleet/tls-ca.js');
        const bad = serverNames.find((n) => !isServerName(n));
        if (bad !== undefined || serverNames.length === 0)
          throw new UsageError(t('fleet.error.bad-server-name', { name: bad ?? '' }));
        const { initFleet, fleetFiles, SENSOR_FLEET_DIR } = await import('../fleet/setup.js');
        const dir = resolve(o.dir);
        const state = await step(() =>
          initFleet({
            dir,
            hosts,
            tls: o.tls,
            serverNames,
            listen: list(o.listen),
            storeDir: o.storeDir,
            ...(cluster === undefined ? {} : { cluster }),
            ...(o.clusterListen === undefined ? {} : { clusterListen: list(o.clusterListen) }),
          }),
        );
        const f = fleetFiles(dir);
        // nats-server resolves an include relative to the including file (/etc here).
        const include = (file: string) => `include ${JSON.stringify(relative('/etc', file))}`;
        const nodeFile = join(f.nodesDir, 'NAME', 'nats-server.conf');
        ctx.stdout.write(
          [
            t('fleet.init.done', { count: hosts.length, dir }),
            state.nodes === undefined
              ? t('fleet.init.next.server', { file: f.server, include: include(f.server) })
              : t('fleet.init.next.cluster', {
                  count: state.nodes.length,
                  nodes: state.nodes
                    .map((node, i) => `${node} (${state.servers[i] ?? ''})`)
                    .join(', '),
                  dir: f.nodesDir,
                  file: nodeFile,
                  include: include(nodeFile),
                }),
            t('fleet.init.next.hub', { file: f.hubConfig }),
            t('fleet.init.next.hosts', { dir: f.hostsDir, sensorDir: SENSOR_FLEET_DIR }),
            t('fleet.init.secret', { signingKey: f.hubSigningKey }),
            '',
          ].join('\n'),
        );
      },
    );

  /** How the change reaches NATS: a reload, on every node of a cluster after copying its accounts file. */
  const reload = (dir: string, state: FleetState) =>
    state.nodes === undefined
      ? t('fleet.reload')
      : t('fleet.reloadCluster', { file: join(dir, 'nodes', 'NAME', 'accounts.conf') });

  fleet
    .command('add-host')
    .description(t('fleet.addHost.description'))
    .argument('<name>')
    .option('--dir <dir>', t('fleet.opt.dir'), DEFAULT_FLEET_DIR)
    .action(async (name: string, o: { dir: string }) => {
      const { addHost, SENSOR_FLEET_DIR } = await import('../fleet/setup.js');
      const dir = resolve(o.dir);
      const state = await step(() => addHost(dir, name));
      ctx.stdout.write(
        `${t('fleet.addHost.done', { host: name, dir: join(dir, 'hosts', name), sensorDir: SENSOR_FLEET_DIR })}\n` +
          `${reload(dir, state)}\n`,
      );
    });

  fleet
    .command('revoke-host')
    .description(t('fleet.revokeHost.description'))
    .argument('<name>')
    .option('--dir <dir>', t('fleet.opt.dir'), DEFAULT_FLEET_DIR)
    .action(async (name: string, o: { dir: string }) => {
      const { revokeHost, accountsFiles } = await import('../fleet/setup.js');
      const dir = resolve(o.dir);
      const state = await step(() => revokeHost(dir, name));
      ctx.stdout.write(
        `${t('fleet.revokeHost.done', { host: name, file: accountsFiles(dir, state).join(', ') })}\n` +
          `${reload(dir, state)}\n`,
      );
    });
}
