/** Variables as they flow through tsplay: plain JSON-like data. */
export type Vars = Record<string, unknown>;
