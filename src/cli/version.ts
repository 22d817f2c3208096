import pkg from '../../package.json' with { type: 'json' };

/** The package's version (bundled in at build time; the CLI reads no file for it at run time). */
export const VERSION: string = pkg.version;
