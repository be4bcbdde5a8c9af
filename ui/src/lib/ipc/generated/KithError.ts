import type { ErrorKind } from "./ErrorKind";

export type KithError = { kind: ErrorKind, message: string, field: string | null, };
