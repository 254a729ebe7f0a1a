/**
 * Every error kelisim throws: `code` is a stable machine-readable string (see
 * wasm/core/constants.json `ErrorCode`, plus the shell's own `wasm-*`/`storage-*` codes),
 * `message` says what was wrong and where.
 */
export class KelisimError extends Error {
  constructor(code, message, where) {
    super(message);
    this.name = 'KelisimError';
    this.code = code;
    if (where !== undefined) this.where = where;
  }
}
