/** Picks the dialect parser for a device config. Only H3C Comware exists so far. */
import type { Parsed } from '../diag/diagnostic.js';
import type { Policy } from '../policy/model.js';
import { parseH3cConfig } from './h3c/index.js';

/** Device config dialects ftpwall reads. */
export const DIALECTS = ['h3c'] as const;
/** One of DIALECTS. */
export type Dialect = (typeof DIALECTS)[number];

/** Parses a device config of the given dialect into the neutral policy. */
export function parseConfig(text: string, file: string, dialect: Dialect = 'h3c'): Parsed<Policy> {
  switch (dialect) {
    case 'h3c':
      return parseH3cConfig(text, file);
  }
}
