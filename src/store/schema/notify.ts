/** Tables of the notify area, created by migration 3. */
export const OUTBOX_SQL = ``;
