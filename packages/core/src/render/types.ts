import type { KeywardError } from '../errors.js';

/** An HTTP response for a refused request, ready for any framework to write as it is. */
export interface RenderedError {
  readonly status: number;
  /** Lowercase header names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The serialized body. */
  readonly body: string;
}

/** Turns a {@link KeywardError} into a response. */
export type Renderer = (error: KeywardError) => RenderedError;
