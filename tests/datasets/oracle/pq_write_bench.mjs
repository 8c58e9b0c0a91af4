// Peer for bench/datasets_parquet_write_bench.cpp: parquet-wasm (Apache Arrow's Rust writer, in
// WebAssembly) writing the same data. Usage: node pq_write_bench.mjs FILE CODEC ROW_GROUP_ROWS
// Loads FILE (written by mhub) into Arrow with parquet-wasm's reader, untimed, then times
// writeParquet of that table with the same codec and row group size; best of 2. Prints
// {"ms": best, "bytes": size of the file it wrote}.
import { readFileSync } from 'node:fs'
import * as pw from 'parquet-wasm/node'

const [file, codec, rowGroupRows] = process.argv.slice(2)
const bytes = new Uint8Array(readFileSync(file))
const compression = { snappy: pw.Compression.SNAPPY, zstd: pw.Compression.ZSTD, none: pw.Compression.UNCOMPRESSED }[codec]
let best = Infinity, size = 0
for (let run = 0; run < 2; run++) {
  const table = pw.readParquet(bytes)
  const props = new pw.WriterPropertiesBuilder()
    .setCompression(compression)
    .setMaxRowGroupSize(Number(rowGroupRows))
    .build()
  const t0 = performance.now()
  const out = pw.writeParquet(table, props)
  best = Math.min(best, performance.now() - t0)
  size = out.length
}
console.log(JSON.stringify({ ms: best, bytes: size }))
