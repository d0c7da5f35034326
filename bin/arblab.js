#!/usr/bin/env node
// `arblab` entry for npx / npm bin: registers tsx's loader and runs the TypeScript CLI.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/arblab.ts");
await main(process.argv);
