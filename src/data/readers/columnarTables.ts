/**
 * Parquet (hyparquet) and Arrow IPC (apache-arrow) files as RawTables. Error locations name the
 * row group (Parquet) or record batch (Arrow) and the row inside it.
 */
import { type Table, tableFromIPC } from "apache-arrow";
import { parquetMetadata, parquetRead } from "hyparquet";
import { columnarTable, type RawTable } from "./RawTable.js";

/** Locate a global row inside consecutive blocks of the given sizes: "label b, row r". */
function blockLocator(file: string, label: string, sizes: readonly number[]): (row: number) => string {
  const starts: number[] = [];
  let s = 0;
  for (const n of sizes) {
    starts.push(s);
    s += n;
  }
  return (row) => {
    let b = 0;
    while (b + 1 < starts.length && starts[b + 1]! <= row) b++;
    return `${file}: ${label} ${b}, row ${row - (starts[b] ?? 0)}`;
  };
}

/** A Parquet file's columns. @throws Error naming the file when it is not valid Parquet */
export async function parquetTable(file: string, buffer: Buffer): Promise<RawTable> {
  const arrayBuffer = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
  let metadata: ReturnType<typeof parquetMetadata>;
  try {
    metadata = parquetMetadata(arrayBuffer);
  } catch (err) {
    throw new Error(`${file}: not a readable Parquet file (truncated?): ${(err as Error).message}`);
  }
  const columns = metadata.schema.slice(1).map((e) => e.name);
  const data: unknown[][] = columns.map(() => []);
  try {
    await parquetRead({
      file: arrayBuffer,
      metadata,
      utf8: true,
      onChunk: ({ columnName, columnData, rowStart }) => {
        const target = data[columns.indexOf(columnName)]!;
        for (let i = 0; i < columnData.length; i++) target[rowStart + i] = columnData[i];
      },
    });
  } catch (err) {
    throw new Error(`${file}: cannot decode Parquet data (truncated?): ${(err as Error).message}`);
  }
  const sizes = metadata.row_groups.map((g) => Number(g.num_rows));
  return columnarTable(file, columns, data, blockLocator(file, "row group", sizes));
}

/** An Arrow IPC (file or stream) table's columns. @throws Error naming the file when it is not valid Arrow */
export function arrowTable(file: string, buffer: Buffer): RawTable {
  let table: Table;
  try {
    table = tableFromIPC(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)) as Table;
  } catch (err) {
    throw new Error(`${file}: not a readable Arrow IPC file (truncated?): ${(err as Error).message}`);
  }
  const columns = table.schema.fields.map((f) => f.name);
  const data = columns.map((_, i) => table.getChildAt(i)!.toArray() as ArrayLike<unknown>);
  return columnarTable(
    file,
    columns,
    data,
    blockLocator(
      file,
      "batch",
      table.batches.map((b) => b.numRows),
    ),
  );
}
