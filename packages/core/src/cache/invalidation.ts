/** Tells every instance that a key changed (revoked, rotated, renamed, deleted). */
export interface InvalidationMessage {
  /** Id of the key that changed. Never a key, a secret or a hash. */
  readonly keyId: string;
  /**
   * When the sender published it (milliseconds since the Unix epoch, the sender's clock), for
   * the lag metric. Buses carry it when it is there; a message without it is still valid.
   */
  readonly sentAt?: number;
}

/**
 * A channel that reaches every instance of the app: Redis pub/sub (`@keyward/store-redis`) or
 * PostgreSQL `LISTEN/NOTIFY` (`@keyward/store-postgres`). The engine publishes after each change and
 * drops the cached entry of every message it receives.
 */
export interface InvalidationBus {
  /** What the bus runs on (`postgresql`, `redis`), for instrumentation. */
  readonly system?: string;
  /** Sends a message to every subscriber, this instance included. */
  publish(message: InvalidationMessage): Promise<void>;
  /**
   * Starts delivering messages to `listener`. Resolves once the subscription is active; the result
   * stops it. `onError` hears connection problems (the engine then drops its whole cache, since
   * messages may have been missed); `onRestored`, that the subscription is active again after one
   * (for the operator's log: the engine drops its cache on `onError` either way).
   */
  subscribe(
    listener: (message: InvalidationMessage) => void,
    onError?: (error: unknown) => void,
    onRestored?: () => void,
  ): Promise<() => Promise<void>>;
}
