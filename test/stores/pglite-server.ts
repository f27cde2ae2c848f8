import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * PostgreSQL (PGlite, PostgreSQL compiled to WebAssembly) with pgvector, served on 127.0.0.1 over
 * the wire protocol, so the store reaches it through `pg` exactly as it reaches a real server.
 * PGlite is one session behind a queue: a transaction holds the queue for its own connection, and a
 * connection that drops mid-transaction is rolled back, as PostgreSQL does.
 */
export interface PgliteServer {
  /** `postgres://postgres:…@127.0.0.1:<port>/postgres` (the password is ignored; it is there to check redaction). */
  url: string;
  /** A location for a new, empty collection on this server. */
  newLocation(): Promise<string>;
  /** Stops the socket server (dropping every connection) and starts it again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

let collections = 0;

export async function startPgliteServer(): Promise<PgliteServer> {
  const db = await PGlite.create({ extensions: { vector } });
  let server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 64 });
  await server.start();
  const port = Number(server.getServerConn().split(':').pop());
  const url = `postgres://postgres:s3cret-pw@127.0.0.1:${port}/postgres`;
  return {
    url,
    newLocation: async () => `${url}?collection=t${process.pid}_${++collections}`,
    async restart() {
      await server.stop();
      server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: 64 });
      await server.start();
    },
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
