/**
 * A problem with the user's input (an archive, a registry, a data file): a
 * value with a message that names the input, printed without a stack trace.
 */
export class ImageError extends Error {
  constructor(
    message: string,
    /** True when trying again later may succeed (a registry's 429 or 5xx). */
    readonly transient = false,
  ) {
    super(message);
  }
}
