/** What the import could not carry over, each with its place and why. */

export type IssueKind =
  | 'config'
  | 'filterMissing'
  | 'regex'
  | 'endAnchor'
  | 'multiline'
  | 'failureId'
  | 'noHost'
  | 'prefregex'
  | 'datepattern'
  | 'dateContext'
  | 'ignoreByMode'
  | 'filterOption'
  | 'duration'
  | 'increment'
  | 'ignoreip'
  | 'trustedWider'
  | 'ignorecommand'
  | 'backend'
  | 'logpath'
  | 'jailOption'
  | 'replacesBuiltin'
  | 'unsampled';

export interface Issue {
  file: string;
  line: number;
  /** The filter or jail it concerns. */
  subject: string;
  kind: IssueKind;
  /** The construct or value in question, as written (untrusted text, shown as data). */
  detail: string;
  /** Whether what Sheriff does differs from fail2ban (false: a note, nothing lost). */
  loss: boolean;
}

/** The first line of `texts` (file → text) that holds `needle`, to point at where a construct is written. */
export function locate(
  texts: ReadonlyMap<string, string>,
  files: readonly string[],
  needle: string,
  fallback: { file: string; line: number },
): { file: string; line: number } {
  const probe = needle.trim().slice(0, 60);
  if (probe !== '')
    for (const file of files) {
      const lines = texts.get(file)?.split('\n') ?? [];
      const idx = lines.findIndex((l) => !/^\s*[#;]/.test(l) && l.includes(probe));
      if (idx >= 0) return { file, line: idx + 1 };
    }
  return fallback;
}
