// Outside reader for the datasets CLI tests: prints a Parquet file's rows as JSON lines, read by
// hyparquet (with hyparquet-compressors), and its key/value metadata as a last line {"kv": {...}}.
// Usage: node dsload_hyparquet_rows.mjs FILE.parquet
import { readFileSync } from 'node:fs'
import { parquetMetadata, parquetReadObjects } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'

const buf = readFileSync(process.argv[2])
const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)
const rows = await parquetReadObjects({ file, compressors })
const plain = v => (typeof v === 'bigint' ? Number(v) : v)
for (const row of rows) {
  const out = {}
  for (const [k, v] of Object.entries(row)) out[k] = plain(v)
  console.log(JSON.stringify(out))
}
const kv = {}
for (const { key, value } of parquetMetadata(file).key_value_metadata ?? []) kv[key] = value
console.log(JSON.stringify({ kv }))
