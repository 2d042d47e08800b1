import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openStore } from '../../store/index.js';
import { ChatLanguages } from './chat-languages.js';

describe('ChatLanguages', () => {
  it('loads what the chats chose, and holds a new choice only once it is stored', async () => {
    const store = openStore(':memory:');
    try {
      store.chats.setLang('telegram', '1', 'ko', 0);
      const langs = new ChatLanguages(store.records.chats);
      await langs.load(['1', '2']);
      assert.deepEqual([langs.lang('1'), langs.lang('2')], ['ko', null]);
      await langs.set('2', 'en', 1);
      assert.equal(store.chats.lang('telegram', '2'), 'en');
      assert.equal(langs.lang('2'), 'en');

      const away = new ChatLanguages({
        lang: () => Promise.resolve(null),
        setLang: () => Promise.reject(new Error('connection terminated')),
      });
      await assert.rejects(away.set('1', 'ko', 2), /connection terminated/);
      assert.equal(away.lang('1'), null, 'not in force: it was not stored');
    } finally {
      store.close();
    }
  });
});
