import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserNames } from './user-names.js';

describe('UserNames', () => {
  it('counts holders per name and forgets a name when the last lets go', () => {
    const names = new UserNames();
    const root = names.hold('root');
    assert.equal(names.hold('root'), root);
    const admin = names.hold('admin');
    assert.notEqual(admin, root);
    names.release(root);
    assert.equal(names.name(root), 'root', 'one holder is left');
    names.release(root);
    assert.equal(names.size, 1);
    // The freed id goes to the next new name.
    assert.equal(names.hold('oracle'), root);
    assert.equal(names.name(root), 'oracle');
  });

  it('holds a name again after it was forgotten, also the name it held last', () => {
    const names = new UserNames();
    const id = names.hold('root');
    names.release(id);
    assert.equal(names.size, 0);
    const again = names.hold('root');
    assert.equal(names.name(again), 'root');
    assert.equal(names.size, 1);
    names.release(again);
    assert.equal(names.size, 0, 'held once, released once');
  });
});
