/** Types of postgres-cluster.cjs, for the TypeScript tests that start a PostgreSQL of their own. */
export declare const BINARIES: readonly string[];
/** The folder with postgres, initdb and pg_ctl; undefined when there is none. */
export declare function findBinaries(): string | undefined;
export declare function readLog(file: string): string;
export declare class PostgresCluster {
  constructor(options: { bindir: string; database: string; timeoutS?: number; durable?: boolean });
  readonly url: string;
  readonly port: number | undefined;
  readonly version: string | undefined;
  readonly runAs: { name: string; uid: number; gid: number } | undefined;
  readonly folder: string | undefined;
  readonly dataDir: string | undefined;
  /** initdb and the database. */
  create(): void;
  /** Starts the server (the first start picks a free port, later ones reuse it); resolves with the URL. */
  start(interrupted?: () => boolean): Promise<string>;
  /** fast: disconnects clients and shuts down cleanly; immediate: like a crash. */
  stop(mode?: 'fast' | 'immediate'): void;
  /** Stops the server and deletes the folder. */
  destroy(): void;
}
