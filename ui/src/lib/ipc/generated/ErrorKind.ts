export type ErrorKind = "validation" | "not_found" | "invalid_input" | "storage" | "internal";
