/**
 * Each chat's language (/lang). Every message the bot words reads it, so it is
 * held in memory: loaded from the records' chat settings when the bot starts,
 * and written through to them when a chat changes it — at a hub, to its
 * PostgreSQL, so the hub's admins keep their language wherever it runs.
 */
import type { Millis } from '../../domain.js';
import type { Async } from '../../store/api.js';
import type { ChatLang, ChatSettingsStore } from '../../store/chats.js';

const CHANNEL = 'telegram';

export class ChatLanguages {
  private readonly langs = new Map<string, ChatLang>();

  constructor(private readonly settings: Async<ChatSettingsStore>) {}

  /** Reads the languages `chats` chose. */
  async load(chats: readonly string[]): Promise<void> {
    for (const chat of chats) {
      const lang = await this.settings.lang(CHANNEL, chat);
      if (lang !== null) this.langs.set(chat, lang);
    }
  }

  /** The chat's language, or null when it never chose one. */
  lang(chat: string): ChatLang | null {
    return this.langs.get(chat) ?? null;
  }

  /** Stores the chat's choice; in force once stored. */
  async set(chat: string, lang: ChatLang, now: Millis): Promise<void> {
    await this.settings.setLang(CHANNEL, chat, lang, now);
    this.langs.set(chat, lang);
  }
}
