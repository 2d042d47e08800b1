/** Settings a chat chose for itself (its language), by channel and chat id. */
import type { Database, Statement } from 'better-sqlite3';
import type { Millis } from '../domain.js';

export type ChatLang = 'ko' | 'en';

export class ChatSettingsStore {
  private readonly getStmt: Statement<[string, string], { lang: string | null }>;
  private readonly putStmt: Statement<[string, string, string, number]>;

  constructor(db: Database) {
    this.getStmt = db.prepare('SELECT lang FROM chat_settings WHERE channel = ? AND chat = ?');
    this.putStmt = db.prepare(
      `INSERT INTO chat_settings (channel, chat, lang, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (channel, chat) DO UPDATE SET lang = excluded.lang, updated_at = excluded.updated_at`,
    );
  }

  /** The chat's language, or null when it never chose one. */
  lang(channel: string, chat: string): ChatLang | null {
    const lang = this.getStmt.get(channel, chat)?.lang;
    return lang === 'ko' || lang === 'en' ? lang : null;
  }

  setLang(channel: string, chat: string, lang: ChatLang, now: Millis): void {
    this.putStmt.run(channel, chat, lang, Math.floor(now));
  }
}
