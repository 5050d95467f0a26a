/*
 * What this process found out about the server: a script whose flow run found none (and said its flows
 * are not recorded) does not wait for it again before dropping the events it emits outside runs.
 */
let absent: string | undefined;

/** Why the server is not there (as the notice said it), once a script's flow run found none. */
export function serverFoundAbsent(): string | undefined {
  return absent;
}

export function markServerAbsent(why: string): void {
  absent = why;
}
