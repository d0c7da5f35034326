import { pino, type Logger } from "pino";

/** Structured JSON logs on stdout (pino); the level comes from LOG_LEVEL via ServerConfig. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: "arbitrage-lab-grpc" } });
}
export type { Logger };
