export function runFix(_o: unknown): number { return 0; }
