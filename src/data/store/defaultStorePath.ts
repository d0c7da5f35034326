/**
 * The store path that `Store.open()` uses without an argument: ARBLAB_STORE, else
 * ARBLAB_HOME/store.duckdb, else .arblab/store.duckdb under `cwd`. No DuckDB import, so that
 * `npm run lab` can check its store stamp without loading the database.
 */
import { join, resolve } from "node:path";

export function defaultStorePath(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  if (env.ARBLAB_STORE) return resolve(cwd, env.ARBLAB_STORE);
  if (env.ARBLAB_HOME) return resolve(cwd, env.ARBLAB_HOME, "store.duckdb");
  return join(cwd, ".arblab", "store.duckdb");
}
