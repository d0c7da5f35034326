/**
 * Child process of the kill -9 test (ingestCrash.test.ts): ingest FILE into STORE and report the
 * stages on stdout ("READ" once the file is validated and the write transaction begins, "DONE"
 * after the commit). Not part of the CLI.
 */
import { Store } from "../store/Store.js";
import { ingestFiles } from "./ingestFiles.js";

const [storePath, file] = process.argv.slice(2);
const store = await Store.open(storePath);
await ingestFiles(store, [file!], {
  onProgress: (done, total) => {
    if (done === total - 1) process.stdout.write("READ\n");
  },
});
process.stdout.write("DONE\n");
await store.close();
