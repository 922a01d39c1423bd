/**
 * Errors a user can act on. The CLI prints `message` alone (no stack trace) for these;
 * anything else is a bug and is printed with its stack.
 */
export class SflError extends Error {
  constructor(message: string, readonly file?: string) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'SflError';
  }
}
