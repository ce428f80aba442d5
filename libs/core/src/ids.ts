const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a UUID; lets services answer 404 for malformed ids instead of a database cast error. */
export const isUuid = (s: string): boolean => UUID.test(s);
