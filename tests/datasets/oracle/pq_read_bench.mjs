// Scan-speed peers for bench/datasets_parquet_scan_bench.cpp.
//   node pq_read_bench.mjs gen FILE ROWS   writes the bench file (hyparquet-writer, SNAPPY, row
//        groups of 1M rows): s = dictionary strings (5000 distinct words), i = int64, both optional
//        with ~1% nulls.
//   node pq_read_bench.mjs duckdb FILE     one-thread DuckDB scan touching every value:
//        SELECT sum(length(s)), sum(i); prints {"seconds", "cpu_seconds", "sum_len", "sum_i"}.
//   node pq_read_bench.mjs wasm FILE       parquet-wasm decode of every row group; prints
//        {"seconds", "cpu_seconds", "row_groups", "arrow_bytes"}.
// Both peers add "max_rss_kb": the node process's peak resident set (node itself is ~45 MB).
import { readFileSync, statSync } from 'node:fs'

const [mode, file, rowsArg] = process.argv.slice(2)
const now = () => Number(process.hrtime.bigint()) / 1e9
// CPU seconds of this process (all threads) since `from`: fair on a machine shared with other work.
const cpu = from => {
  const u = process.cpuUsage(from)
  return (u.user + u.system) / 1e6
}

if (mode === 'gen') {
  const { ParquetWriter } = await import('hyparquet-writer')
  const { fileWriter } = await import('hyparquet-writer/src/node.js')
  const rows = Number(rowsArg)
  let seed = 12345
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    return seed / 4294967296
  }
  const words = Array.from({ length: 5000 }, (_, k) => 'word' + k.toString(36) + '_' + 'x'.repeat(k % 17))
  const writer = new ParquetWriter({
    writer: fileWriter(file),
    schema: [
      { name: 'root', num_children: 2 },
      { name: 's', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'i', type: 'INT64', repetition_type: 'OPTIONAL' },
    ],
    codec: 'SNAPPY',
    statistics: false,
  })
  const group = 1_000_000
  for (let at = 0; at < rows; at += group) {
    const n = Math.min(group, rows - at)
    const s = new Array(n)
    const i = new Array(n)
    for (let k = 0; k < n; k++) {
      s[k] = rnd() < 0.01 ? null : words[Math.floor(rnd() * rnd() * words.length)]
      i[k] = rnd() < 0.01 ? null : BigInt(Math.floor(rnd() * 2 ** 40)) - 2n ** 39n
    }
    writer.write({ columnData: [{ name: 's', data: s }, { name: 'i', data: i }], rowGroupSize: group })
  }
  writer.finish()
  process.stdout.write(JSON.stringify({ bytes: statSync(file).size }) + '\n')
} else if (mode === 'duckdb') {
  const { DuckDBInstance } = await import('@duckdb/node-api')
  const db = await DuckDBInstance.create(':memory:')
  const con = await db.connect()
  await con.run('SET threads=1')
  const q = `SELECT sum(length(s))::VARCHAR AS l, sum(i)::VARCHAR AS i FROM read_parquet('${file.replace(/'/g, "''")}')`
  const t0 = now()
  const c0 = process.cpuUsage()
  const r = await con.runAndReadAll(q)
  const c = cpu(c0)
  const t1 = now()
  const row = r.getRows()[0]
  process.stdout.write(JSON.stringify({ seconds: t1 - t0, cpu_seconds: c, sum_len: String(row[0]), sum_i: String(row[1]), max_rss_kb: process.resourceUsage().maxRSS }) + '\n')
} else if (mode === 'wasm') {
  const pw = await import('parquet-wasm/node')
  const bytes = readFileSync(file)
  const t0 = now()
  const c0 = process.cpuUsage()
  let groups = 0
  let arrowBytes = 0
  // Row group by row group (a whole 1 GB table does not fit wasm32 memory).
  for (let g = 0; ; g++) {
    let t
    try {
      t = pw.readParquet(bytes, { rowGroups: [g] })
    } catch (e) {
      if (g === 0) throw e
      break
    }
    const batches = t.numBatches
    arrowBytes += t.getArrayMemorySize()
    t.free()
    if (batches === 0) break
    groups++
  }
  const c = cpu(c0)
  const t1 = now()
  process.stdout.write(JSON.stringify({ seconds: t1 - t0, cpu_seconds: c, row_groups: groups, arrow_bytes: arrowBytes, max_rss_kb: process.resourceUsage().maxRSS }) + '\n')
} else {
  process.stderr.write('usage: pq_read_bench.mjs gen|duckdb|wasm FILE [ROWS]\n')
  process.exit(2)
}
