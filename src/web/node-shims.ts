/**
 * What the browser bundle gets in place of Node's built-in modules (the bundler maps every
 * `node:*` import here). The page never reads files from disk or asks for the machine's memory:
 * it hands the decoder bytes (decodeAudio), so these stand-ins are only reached by a bug, and then
 * say so in a sentence instead of failing on an undefined import.
 */
function notInBrowser(what: string): never {
  throw new Error(`${what} is not available in the browser page`);
}

export const readFile = (): never => notInBrowser('reading a file from disk');
export const open = (): never => notInBrowser('opening a file on disk');
/** The page's memory checks (util/memory.ts) measure against this: the browser's own estimate, or 4 GB. */
export const totalmem = (): number => ((globalThis.navigator as { deviceMemory?: number } | undefined)?.deviceMemory ?? 4) * 1024 ** 3;
/** Largest typed array a browser allocates (V8's limit), as node:buffer's constants.MAX_LENGTH says for Node. */
export const constants = { MAX_LENGTH: 2 ** 32 - 1 };
/** The machine's byte order, as node:os reports it (the WAV reader reads 16-bit samples through a typed-array view when it is 'LE'). */
export const endianness = (): 'LE' | 'BE' => (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 'LE' : 'BE');
export default { readFile, open, totalmem, constants, endianness };
