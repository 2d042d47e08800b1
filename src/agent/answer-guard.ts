/**
 * The model's final answer is checked against what the run did before the
 * admin reads it. The analyst can only propose: a sentence claiming a ban,
 * unban, approval or isolation that did not happen (a hostile log line or a
 * confused model writes "I have banned 8.8.8.8") is removed, and so is a
 * claimed proposal the run did not make. Commands are never passed on as
 * advice (`curl … | sh`, `rm -rf`, anything but a plain `sheriff …` command),
 * nor links the tools did not return.
 */
import type { ActionKind } from '../domain.js';
import { parseCidr } from '../net/cidr.js';

export interface RunFacts {
  /** What this run proposed: each approval request's action and canonical target. */
  proposed: { action: ActionKind; target: string | null }[];
  /** Whether the store has an active ban on this canonical CIDR ("203.0.113.7/32"). */
  banned: (ip: string) => boolean;
  /** The tool results of this run, as the model read them. */
  evidence: string;
}

export interface GuardedAnswer {
  text: string;
  /** The sentences removed for claiming what did not happen. */
  falseClaims: string[];
  /** Whether the answer speaks of bans, approvals or isolation at all (true or false). */
  speaksOfActions: boolean;
  /** How many commands and links were taken out. */
  commands: number;
  links: number;
}

export interface GuardWords {
  command: string;
  link: string;
}

// The analyst itself did it: it cannot, so these are always false.
const DID_ACT = [
  /\b(?:I|we|Sheriff)(?:['’]ve)?(?:\s+(?:have|has|had|just|already|now|successfully|also))*\s+(?:banned|blocked|unbanned|unblocked|approved|isolated|quarantined|firewalled|blacklisted|lifted)\b/i,
  /^\W*(?:banned|blocked|unbanned|unblocked|approved|isolated)\b/i,
];
// Something is said to be done (Korean often without a subject): a ban or unban is true when
// the store agrees; an approval or isolation never is (the run cannot have seen one happen).
const DONE =
  /(?:\b(?:has|have|is|are|was|were|been|now|already|successfully)\s+(?:now\s+|been\s+|already\s+|successfully\s+)*(banned|blocked|unbanned|unblocked|approved|isolated|quarantined)\b)|(차단\s*해제|차단|승인|격리|해제)(?:을|를|이|가)?\s*(?:했|하였|완료|처리했|처리하였|조치했|조치하였|시켰|되었|됐|됨|되어\s*있(?!지))(?![는을]지|다면|으면|더라도)/i;
// The run asked a human: true only when it did.
const PROPOSED = [
  /\b(?:I|we)(?:\s+(?:have|just|also))*\s+(?:proposed|requested|asked\s+for|submitted|created|filed|raised)\b/i,
  /(?:요청|제안)(?:을|를)?\s*(?:했|하였|드렸|올렸|생성했|등록했)/,
];
const ADDRESS = /[0-9a-f:.]*[0-9a-f][:.][0-9a-f:.]+(?:\/\d{1,3})?/gi;

// A command to run: a pipe into a shell, a download, a destructive or privileged program.
const DANGEROUS = new RegExp(
  [
    /\|\s*(?:sudo\s+)?(?:ba|z|da|k|c|tc)?sh\b/,
    /\b(?:curl|wget)\s+\S/,
    /\brm\s+-\w*[rf]/,
    /\b(?:chmod|chown)\s+\S/,
    /\b(?:bash|sh|python3?|perl|ruby|php|node)\s+-[ce]\b/,
    /\bnc\s+-|\bbase64\s+-d|\$\(|\beval\s|\bmkfs|\bdd\s+if=/,
    /\b(?:iptables|ip6tables)\s+-[A-Za-z]|\bnft\s+(?:add|delete|flush|insert|-f)\b/,
    /\bufw\s+(?:allow|deny|delete|disable|reset)\b|\bsystemctl\s+(?:stop|start|restart|disable|enable|mask)\b/,
    /\bcrontab\s+-|\b(?:useradd|usermod|userdel)\s+\S|\b(?:kill\s+-\w|pkill\s)/,
  ]
    .map((r) => r.source)
    .join('|'),
  'i',
);
// The only command the analyst may suggest: Sheriff's own, with nothing a shell would read.
const SHERIFF_COMMAND = /^\s*sheriff(?:\s+[\w.:/@=-]+)*\s*$/;
const CODE = /```[\s\S]*?```|`[^`\n]+`/g;
const URL = /\b(?:https?|ftp|file):\/\/[^\s<>"'`)\]⟧]+/gi;

/** `text` with false claims, commands and foreign links taken out; what was taken out. */
export function guardAnswer(text: string, facts: RunFacts, words: GuardWords): GuardedAnswer {
  const out: GuardedAnswer = {
    text: '',
    falseClaims: [],
    speaksOfActions: false,
    commands: 0,
    links: 0,
  };
  const command = `[${words.command}]`;
  // Code first: a code span is a command unless it is a plain sheriff command or an identifier.
  const placeholders: string[] = [];
  const masked = text.replace(/\u0000/g, '').replace(CODE, (code) => {
    const inner = code.replace(/^`+|`+$/g, '');
    const runnable = /\n/.test(inner.trim()) || DANGEROUS.test(inner) || /[|;&><]/.test(inner);
    if (runnable && !SHERIFF_COMMAND.test(inner)) {
      out.commands++;
      placeholders.push(command);
    } else placeholders.push(code);
    return `\u0000${placeholders.length - 1}\u0000`;
  });
  const lines = masked.split('\n').map((line) =>
    sentences(line)
      .map((s) => {
        const judged = s.replace(/\u0000\d+\u0000/g, ' ');
        if (DANGEROUS.test(judged)) {
          out.commands++;
          return command;
        }
        const claim = claimed(judged, facts);
        if (claim !== null) out.speaksOfActions = true;
        if (claim === false) {
          out.falseClaims.push(s.trim());
          return '';
        }
        return s.replace(URL, (url) => {
          const bare = url.replace(/[.,;:!?]+$/, '');
          if (facts.evidence.includes(bare)) return url;
          out.links++;
          return `[${words.link}]${url.slice(bare.length)}`;
        });
      })
      .join('')
      .replace(/[ \t]{2,}/g, ' ')
      .trimEnd(),
  );
  out.text = lines
    .join('\n')
    .replace(/\u0000(\d+)\u0000/g, (_, i: string) => placeholders[Number(i)]!)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return out;
}

/** A line cut after each sentence end, the spaces kept with the sentence before. */
function sentences(line: string): string[] {
  return line.split(/(?<=[.!?。](?:\s+|$))(?=\S)/);
}

/** Whether a sentence claims an action: true when it happened, false when not, null when it claims none. */
function claimed(sentence: string, facts: RunFacts): boolean | null {
  const ips = addresses(sentence);
  if (DID_ACT.some((re) => re.test(sentence))) return false;
  const done = DONE.exec(sentence);
  if (done !== null) {
    const verb = (done[1] ?? done[2] ?? '').toLowerCase();
    if (/^(?:banned|blocked|차단)$/.test(verb)) {
      return ips.length > 0 && ips.every((ip) => facts.banned(ip));
    }
    if (/^(?:unbanned|unblocked|차단\s*해제|해제)$/.test(verb)) {
      return ips.length > 0 && ips.every((ip) => !facts.banned(ip));
    }
    // Approval and isolation: this run cannot have seen either happen.
    return false;
  }
  if (PROPOSED.some((re) => re.test(sentence))) {
    if (facts.proposed.length === 0) return false;
    return ips.every((ip) => facts.proposed.some((p) => p.target === ip));
  }
  return null;
}

/** The canonical CIDRs of the addresses a sentence names. */
function addresses(sentence: string): string[] {
  const found: string[] = [];
  for (const m of sentence.match(ADDRESS) ?? []) {
    try {
      found.push(parseCidr(m.replace(/[.:]+$/, '')).text);
    } catch {
      // A version number or a time, not an address.
    }
  }
  return found;
}
