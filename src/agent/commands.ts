/**
 * Command mode: the analyst without a model. Common requests in Korean and
 * English ("상태", "차단 1.2.3.4", "열린 포트", "보고서", "status", "block 1.2.3.4",
 * "unban …", "bans", "report", "help") are recognised by fixed patterns and answered
 * from the same tools the model uses, so approvals and refusals are the same.
 */
import type { Translate } from '../i18n/index.js';
import { canonicalIp } from '../net/ip.js';
import { notEnforcedNote } from '../notify/format.js';
import { reasonText } from '../respond/reasons.js';
import { cleanUntrusted } from './untrusted.js';
import { ToolRefusal, type AgentTool, type ToolContext } from './tools/index.js';
import { proposeBan, proposeIsolate, proposeUnban } from './tools/actions.js';
import { addressFacts, iso } from './tools/evidence.js';
import { listeningPorts, loggedInUsers } from './tools/host.js';
import { sendReport } from './tools/incidents.js';

export type Intent =
  | { kind: 'status' }
  | { kind: 'ports' }
  | { kind: 'users' }
  | { kind: 'bans' }
  | { kind: 'report' }
  | { kind: 'help' }
  | { kind: 'analyse'; ip: string }
  | { kind: 'ban'; ip: string }
  | { kind: 'unban'; ip: string }
  | { kind: 'isolate' }
  | { kind: 'unknown' };

const IP_TOKEN = /(?:\d{1,3}\.){3}\d{1,3}|[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:%\w+)?/gi;

/** The first valid address in `text`, canonical, or null. */
export function addressIn(text: string): string | null {
  for (const m of text.matchAll(IP_TOKEN)) {
    const ip = canonicalIp(m[0]);
    if (ip !== null) return ip;
  }
  return null;
}

/** What a plain-language request asks for. */
export function parseIntent(text: string): Intent {
  const s = text.trim().toLowerCase();
  const ip = addressIn(s);
  if (ip !== null) {
    if (/차단\s*해제|해제|풀어|unban|unblock|lift/.test(s)) return { kind: 'unban', ip };
    if (/차단|막아|블록|block|\bban\b/.test(s)) return { kind: 'ban', ip };
    return { kind: 'analyse', ip };
  }
  if (/차단\s*(?:목록|현황|내역)|차단된|\bbans\b|\bbanned\b|\bblocked\b|list bans/.test(s)) {
    return { kind: 'bans' };
  }
  if (/포트|\bports?\b|listen/.test(s)) return { kind: 'ports' };
  if (/접속자|접속\s*중|로그인\s*(?:한|중)|사용자|세션|\bwho\b|\busers\b|sessions|logged/.test(s)) {
    return { kind: 'users' };
  }
  if (/격리|isolate/.test(s)) return { kind: 'isolate' };
  if (/보고서|리포트|\breport\b/.test(s)) return { kind: 'report' };
  if (/도움|명령|help|^\?$/.test(s)) return { kind: 'help' };
  if (/상태|요약|현황|어때|status|summary|overview|how are/.test(s)) return { kind: 'status' };
  return { kind: 'unknown' };
}

/** Runs one tool with arguments checked by its schema; records the call. */
export type ToolRunner = (tool: AgentTool, args: Record<string, unknown>) => Promise<unknown>;

/** The command-mode answer to `intent` (the status line is added by the analyst). */
export async function answerCommand(
  intent: Intent,
  ctx: ToolContext,
  t: Translate,
  runTool: ToolRunner,
): Promise<string> {
  const fmt = (at: number | null) =>
    at === null ? '-' : (iso(at) ?? '-').replace('T', ' ').slice(0, 16);
  try {
    switch (intent.kind) {
      case 'status': {
        const status = await ctx.deps.status.current(ctx.now, ctx.lang);
        const since = ctx.now - 86_400_000;
        const fails = await ctx.deps.store.events.queryEvents({
          kind: 'fail',
          since,
          limit: 10_000,
        });
        const lines = [
          t('agent.cmd.reasons', { reasons: status.reasons.join('; ') || '-' }),
          t('agent.cmd.counts', {
            failures: fails.reduce((n, e) => n + e.attempts, 0),
            addresses: new Set(fails.map((e) => e.ip).filter((ip) => ip !== null)).size,
            bans: (await ctx.deps.store.bans.active(ctx.now)).length,
            pending: (await ctx.deps.store.approvals.list({ status: 'pending', limit: 1000 }))
              .length,
          }),
        ];
        return lines.join('\n');
      }
      case 'ports': {
        const r = (await runTool(listeningPorts, {})) as {
          ports: { port: number; address: string; processes: { name: string | null }[] }[];
        };
        if (r.ports.length === 0) return t('agent.cmd.ports.none');
        return [
          t('agent.cmd.ports.title'),
          ...r.ports.map((p) =>
            t('agent.cmd.port', {
              port: p.port,
              address: p.address,
              process: p.processes.map((q) => stripSpotlight(q.name)).join(', ') || '?',
            }),
          ),
        ].join('\n');
      }
      case 'users': {
        const r = (await runTool(loggedInUsers, {})) as {
          sessions: { address: string; detail: string | null }[];
        };
        if (r.sessions.length === 0) return t('agent.cmd.users.none');
        return [
          t('agent.cmd.users.title'),
          ...r.sessions.map((s) =>
            t('agent.cmd.user', { address: s.address, detail: stripSpotlight(s.detail) }),
          ),
        ].join('\n');
      }
      case 'bans': {
        const bans = await ctx.deps.store.bans.active(ctx.now);
        if (bans.length === 0) return t('agent.cmd.bans.none');
        return [
          t('agent.cmd.bans.title'),
          ...bans.slice(0, 50).map(
            (b) =>
              t('agent.cmd.ban', {
                target: b.target.cidr,
                until: b.expiresAt === null ? t('agent.cmd.forever') : fmt(b.expiresAt),
                reason: cleanUntrusted(reasonText(b.reason, t), 100),
              }) + notEnforcedNote(b, t),
          ),
        ].join('\n');
      }
      case 'analyse': {
        const f = await addressFacts(ctx.deps.store, intent.ip, ctx.now);
        if (f.failures + f.successes === 0 && f.findings.length === 0) {
          return t('agent.refused.no-data', { ip: intent.ip });
        }
        const lines = [
          t('agent.cmd.analysis', {
            ip: f.ip,
            failures: f.failures,
            successes: f.successes,
            users: f.users.length,
            first: fmt(f.firstSeen),
            last: fmt(f.lastSeen),
          }),
        ];
        if (f.findings.length > 0) {
          const kinds = [...new Set(f.findings.map((x) => x.kind))].join(', ');
          lines.push(t('agent.cmd.analysis.findings', { findings: kinds }));
        }
        if (f.poisonedUsers.length > 0) {
          lines.push(t('agent.cmd.analysis.poisoned', { count: f.poisonedUsers.length }));
        }
        return lines.join('\n');
      }
      case 'ban':
        await runTool(proposeBan, { ip: intent.ip });
        return '';
      case 'unban':
        await runTool(proposeUnban, { ip: intent.ip });
        return '';
      case 'isolate':
        await runTool(proposeIsolate, {});
        return '';
      case 'report': {
        if (ctx.deps.report === undefined) return t('agent.cmd.report.none');
        const r = (await runTool(sendReport, {})) as { sent: boolean; summary: string };
        return r.summary;
      }
      case 'help':
        return t('agent.cmd.help');
      case 'unknown':
        return t('agent.cmd.unknown', { help: t('agent.cmd.help') });
    }
  } catch (err) {
    if (err instanceof ToolRefusal)
      return refusalText(err.code, err.message, t, 'ip' in intent ? intent.ip : '');
    return t('agent.cmd.failed', { reason: err instanceof Error ? err.message : String(err) });
  }
}

/** A refusal in the user’s language (known codes), else its English message. */
export function refusalText(code: string, message: string, t: Translate, ip: string): string {
  switch (code) {
    case 'not-in-evidence':
      return t('agent.refused.not-in-evidence', { ip });
    case 'protected-address':
      return t('agent.refused.protected-address', { ip });
    case 'already-banned':
      return t('agent.refused.already-banned', { ip });
    case 'not-banned':
      return t('agent.refused.not-banned', { ip });
    case 'no-data':
      return t('agent.refused.no-data', { ip });
    default:
      return t('agent.cmd.failed', { reason: message });
  }
}

/** A spotlighted value shown to a human: the delimiters off, the text kept as cleaned. */
function stripSpotlight(v: string | null): string {
  if (v === null) return '?';
  const m = /^⟦untrusted [^:]*: ([\s\S]*)⟧$/.exec(v);
  return m ? m[1]! : v;
}
