/** HTTP status of a refusal decided after the body was parsed (authorization, TAG, identity, registry). */
export type AgentRefusalStatus = 403 | 409 | 422 | 502 | 503;

/**
 * A well-formed agent request the ingest will not store. Like AgentProtocolError, its message names fields and
 * limits, never secrets, so it is safe to answer and to log; `code` is stable for scripts and tests.
 */
export class AgentRefusal extends Error {
  constructor(
    readonly status: AgentRefusalStatus,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AgentRefusal';
  }
}
