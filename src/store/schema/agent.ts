/** Tables of the agent area, created by migration 3. */
export const AGENT_SQL = ``;
