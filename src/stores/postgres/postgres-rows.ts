/** How the PostgreSQL store tells a lost connection from other errors. */

/** True for errors meaning the connection is gone (refused, reset, terminated by the server or an admin). */
export function connectionLost(err: unknown): boolean {
  const code = (err as { code?: string } | undefined)?.code;
  if (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === '57P01' ||
    code === '57P02' ||
    code === '57P03'
  )
    return true;
  return /Connection terminated|connection ended|Client has encountered a connection error|not queryable/i.test(
    String((err as Error | undefined)?.message),
  );
}
