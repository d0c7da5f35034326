/**
 * `arblab paper start|status|stop`: paper trading from a terminal.
 *   start  run a paper session in the foreground: the state file (default $ARBLAB_HOME/paper.duckdb),
 *          the gateway on 127.0.0.1:8080, strategies from --config (a StrategyConfig or an array),
 *          bars from the market-data service (--market, default http://127.0.0.1:8000). Running
 *          strategies in the state resume where they stopped. Ctrl-C / SIGTERM closes it;
 *          --exit-when-done exits once every strategy's bounded replay has ended.
 *   status GET /api/strategies from a running gateway (token: $ARBLAB_PAPER_TOKEN).
 *   stop   POST /api/strategies/:id/stop (flatten at the last close, stop).
 * The token is $ARBLAB_PAPER_TOKEN, else a random one printed once at start.
 */
import { readFileSync } from "node:fs";
import { type Command, InvalidArgumentError } from "commander";
import { globalOptions, output } from "../common.js";

interface StartFlags {
  config?: string;
  state?: string;
  market: string;
  host: string;
  port: number;
  exitWhenDone?: boolean;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || n > 65535)
    throw new InvalidArgumentError(`--port must be an integer 0 … 65535, got ${JSON.stringify(value)}`);
  return n;
}

function gatewayUrl(command: Command): string {
  return (command.opts().gateway as string | undefined) ?? process.env.ARBLAB_PAPER_URL ?? "http://127.0.0.1:8080";
}

async function callGateway(command: Command, method: "GET" | "POST", path: string): Promise<unknown> {
  const token = process.env.ARBLAB_PAPER_TOKEN;
  if (!token) throw new Error("paper: set ARBLAB_PAPER_TOKEN to the gateway's token (printed by `arblab paper start`)");
  const response = await fetch(`${gatewayUrl(command)}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  const body = (await response.json()) as { message?: string };
  if (!response.ok) throw new Error(`paper: ${method} ${path} → ${response.status}: ${body.message ?? JSON.stringify(body)}`);
  return body;
}

export function registerPaper(program: Command): void {
  const paper = program
    .command("paper")
    .description("paper trading: run strategies forward on the market-data stream, watch and stop them");
  paper
    .command("start")
    .description("run a paper session (gateway + strategies) in the foreground until Ctrl-C / SIGTERM")
    .option("--config <file>", "JSON file: a strategy config or an array of them (see README 'Paper trading')")
    .option("--state <file>", "state file (default $ARBLAB_PAPER_STATE or $ARBLAB_HOME/paper.duckdb)")
    .option("--market <url>", "market-data service", process.env.MARKET_DATA_URL ?? "http://127.0.0.1:8000")
    .option("--host <host>", "gateway bind host", "127.0.0.1")
    .option("--port <port>", "gateway port (0 = any free port)", parsePort, 8080)
    .option("--exit-when-done", "exit once every strategy's bounded replay has ended")
    .action(async (flags: StartFlags, command: Command) => {
      const g = globalOptions(command);
      const [{ PaperSession }, { defaultPaperStatePath }, { startGateway, gatewayToken }] = await Promise.all([
        import("../../trading/PaperSession.js"),
        import("../../trading/PaperState.js"),
        import("../../gateway/startGateway.js"),
      ]);
      let configs: unknown[] = [];
      if (flags.config !== undefined) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(readFileSync(flags.config, "utf8"));
        } catch (error) {
          throw new Error(`paper start: --config ${flags.config}: ${(error as Error).message}`);
        }
        configs = Array.isArray(parsed) ? parsed : [parsed];
      }
      const session = await PaperSession.open({ statePath: flags.state ?? defaultPaperStatePath(), marketUrl: flags.market });
      const { token, generated } = gatewayToken();
      const gateway = await startGateway({ session, token, host: flags.host, port: flags.port });
      for (const config of configs) await session.start(config as never);
      output(
        g,
        {
          gateway: gateway.url,
          state: session.state.path,
          strategies: session.strategies().map((s) => s.id),
          ...(generated ? { token } : {}),
        },
        () =>
          `paper gateway on ${gateway.url}; state ${session.state.path}; strategies: ${
            session
              .strategies()
              .map((s) => s.id)
              .join(", ") || "none"
          }\n${generated ? `token (shown once): ${token}\n` : ""}`,
      );
      session.on("event", (event) => {
        if (event.type === "fill" || event.type === "alert" || event.type === "status") process.stdout.write(`${JSON.stringify(event)}\n`);
      });
      let closing: Promise<void> | null = null;
      const close = () => (closing ??= gateway.close().then(() => session.close()));
      await new Promise<void>((resolve, reject) => {
        const onSignal = () => close().then(resolve, reject);
        process.once("SIGINT", onSignal);
        process.once("SIGTERM", onSignal);
        if (flags.exitWhenDone) {
          Promise.all(session.strategies().map((s) => session.ended(s.id))).then(() => close().then(resolve, reject), reject);
        }
      });
    });
  paper
    .command("status")
    .description("strategies of a running paper session (GET /api/strategies)")
    .option("--gateway <url>", "gateway URL (default $ARBLAB_PAPER_URL or http://127.0.0.1:8080)")
    .action(async (_flags: unknown, command: Command) => {
      const body = (await callGateway(command, "GET", "/api/strategies")) as {
        strategies: { id: string; status: string; bars: number; equity: number }[];
      };
      output(
        globalOptions(command),
        body,
        () => body.strategies.map((s) => `${s.id}\t${s.status}\tbars ${s.bars}\tequity ${s.equity.toFixed(2)}`).join("\n") + "\n",
      );
    });
  paper
    .command("stop <id>")
    .description("flatten at the last close and stop a strategy (POST /api/strategies/:id/stop)")
    .option("--gateway <url>", "gateway URL (default $ARBLAB_PAPER_URL or http://127.0.0.1:8080)")
    .action(async (id: string, _flags: unknown, command: Command) => {
      const body = await callGateway(command, "POST", `/api/strategies/${encodeURIComponent(id)}/stop`);
      output(globalOptions(command), body, () => `${id} stopped\n`);
    });
}
