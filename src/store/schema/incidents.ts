/** Tables of the incidents area, created by migration 3. */
export const INCIDENTS_SQL = ``;
