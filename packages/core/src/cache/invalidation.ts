/** Tells every instance that a key changed (revoked, rotated, renamed, deleted). */
export interface InvalidationMessage {
  /** Id of the key that changed. Never a key, a secret or a hash. */
  readonly keyId: string;
}

/**
 * A channel that reaches every instance of the app: Redis pub/sub (`@keyward/store-redis`) or
 * PostgreSQL `LISTEN/NOTIFY` (`@keyward/store-postgres`). The engine publishes after each change and
 * drops the cached entry of every message it receives.
 */
export interface InvalidationBus {
  /** Sends a message to every subscriber, this instance included. */
  publish(message: InvalidationMessage): Promise<void>;
  /**
   * Starts delivering messages to `listener`. Resolves once the subscription is active; the result
   * stops it. `onError` hears connection problems (the engine then drops its whole cache, since
   * messages may have been missed).
   */
  subscribe(listener: (message: InvalidationMessage) => void, onError?: (error: unknown) => void): Promise<() => Promise<void>>;
}
