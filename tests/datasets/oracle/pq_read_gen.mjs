// Differential oracle for the Parquet reader (tests/datasets/parquet_read_oracle_test.cpp).
// Usage: node pq_read_gen.mjs OUT_DIR SEED FILES
// Generates FILES random tables (random schemas: every primitive/logical type the reader maps,
// lists, structs, maps, nested lists; random nulls at every level; random sizes), writes each with
// hyparquet-writer (data page v2, dictionary/PLAIN/DELTA/BYTE_STREAM_SPLIT encodings), then has
// parquet-wasm (Apache Arrow's Rust writer) re-encode the same file with every codec, v1 and v2
// data pages, with and without dictionaries, every encoding a leaf type allows, small pages and row
// groups. Writes OUT_DIR/manifest.json: [{file, expect, writer, desc}], and per table the expected
// rows as canonical JSON (expect_K.json: {columns, rows}) computed from the generated values, not
// from any reader.
//
// Canonical values: integers (any width, dates, timestamps, decimal unscaled values) as decimal
// strings; floats as JSON numbers; binary/FLBA as lowercase hex; lists as arrays; structs as
// objects; maps as arrays of {key, value}.
import { writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { parquetWriteBuffer } from 'hyparquet-writer'
import * as pw from 'parquet-wasm/node'

const [outDir, seedArg, filesArg] = process.argv.slice(2)
mkdirSync(outDir, { recursive: true })
let seed = Number(seedArg) >>> 0 || 1
function rnd() { // mulberry32
  seed = (seed + 0x6d2b79f5) >>> 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const ri = (a, b) => a + Math.floor(rnd() * (b - a + 1))
const pick = arr => arr[Math.floor(rnd() * arr.length)]
const hex = u8 => Array.from(u8, b => b.toString(16).padStart(2, '0')).join('')
const big = (bits, signed) => {
  let v = 0n
  for (let i = 0; i < bits; i += 16) v = (v << 16n) | BigInt(ri(0, 65535))
  v &= (1n << BigInt(bits)) - 1n
  if (signed && v >= 1n << BigInt(bits - 1)) v -= 1n << BigInt(bits)
  return v
}
const WORDS = ['', 'a', 'héllo', 'wörld', '日本語', 'emoji 😀', 'x'.repeat(40), 'tab\tnew\nline', 'quote"', 'z']

// Primitive kinds: schema element (sans name/repetition), value generator, canonical form,
// and the encodings parquet-wasm may use for it without a dictionary.
const PRIMS = {
  bool: { el: { type: 'BOOLEAN' }, gen: () => rnd() < 0.5, canon: v => v, enc: ['PLAIN', 'RLE'] },
  int32: { el: { type: 'INT32' }, gen: () => ri(-2147483648, 2147483647), canon: v => String(v), enc: ['PLAIN', 'DELTA_BINARY_PACKED', 'BYTE_STREAM_SPLIT'], hyEnc: ['PLAIN', 'DELTA_BINARY_PACKED', 'BYTE_STREAM_SPLIT'] },
  small_int32: { el: { type: 'INT32' }, gen: () => ri(-50, 50), canon: v => String(v), enc: ['DELTA_BINARY_PACKED'] },
  int8: { el: { type: 'INT32', converted_type: 'INT_8' }, gen: () => ri(-128, 127), canon: v => String(v), enc: ['PLAIN', 'DELTA_BINARY_PACKED'] },
  int16: { el: { type: 'INT32', converted_type: 'INT_16' }, gen: () => ri(-32768, 32767), canon: v => String(v), enc: ['PLAIN'] },
  uint8: { el: { type: 'INT32', converted_type: 'UINT_8' }, gen: () => ri(0, 255), canon: v => String(v), enc: ['PLAIN'] },
  uint16: { el: { type: 'INT32', converted_type: 'UINT_16' }, gen: () => ri(0, 65535), canon: v => String(v), enc: ['PLAIN', 'DELTA_BINARY_PACKED'] },
  uint32: { el: { type: 'INT32', converted_type: 'UINT_32' }, gen: () => ri(0, 4294967295), canon: v => String(v), enc: ['PLAIN', 'DELTA_BINARY_PACKED'] },
  int64: { el: { type: 'INT64' }, gen: () => big(64, true), canon: v => String(v), enc: ['PLAIN', 'DELTA_BINARY_PACKED', 'BYTE_STREAM_SPLIT'], hyEnc: ['PLAIN', 'DELTA_BINARY_PACKED'] },
  seq_int64: { el: { type: 'INT64' }, gen: () => BigInt(ri(0, 1000)) * 1000n, canon: v => String(v), enc: ['DELTA_BINARY_PACKED'] },
  uint64: { el: { type: 'INT64', converted_type: 'UINT_64' }, gen: () => big(64, false), canon: v => String(v), enc: ['PLAIN', 'DELTA_BINARY_PACKED'] },
  float: { el: { type: 'FLOAT' }, gen: () => Math.fround((rnd() - 0.5) * 10 ** ri(-5, 8)), canon: v => v, enc: ['PLAIN', 'BYTE_STREAM_SPLIT'], hyEnc: ['PLAIN', 'BYTE_STREAM_SPLIT'] },
  double: { el: { type: 'DOUBLE' }, gen: () => (rnd() - 0.5) * 10 ** ri(-10, 12), canon: v => v, enc: ['PLAIN', 'BYTE_STREAM_SPLIT'], hyEnc: ['PLAIN', 'BYTE_STREAM_SPLIT'] },
  string: { el: { type: 'BYTE_ARRAY', converted_type: 'UTF8' }, gen: () => pick(WORDS) + (rnd() < 0.5 ? String(ri(0, 30)) : ''), canon: v => v, enc: ['PLAIN', 'DELTA_LENGTH_BYTE_ARRAY', 'DELTA_BYTE_ARRAY'], hyEnc: ['PLAIN', 'DELTA_LENGTH_BYTE_ARRAY', 'DELTA_BYTE_ARRAY'] },
  binary: { el: { type: 'BYTE_ARRAY' }, gen: () => Uint8Array.from({ length: ri(0, 12) }, () => ri(0, 255)), canon: hex, enc: ['PLAIN', 'DELTA_LENGTH_BYTE_ARRAY', 'DELTA_BYTE_ARRAY'] },
  date: { el: { type: 'INT32', converted_type: 'DATE' }, gen: () => ri(-20000, 40000), canon: v => String(v), enc: ['PLAIN', 'DELTA_BINARY_PACKED'] },
  ts_millis: { el: { type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' }, gen: () => BigInt(ri(-1e9, 4e9)) * 1000n + BigInt(ri(0, 999)), canon: v => String(v), enc: ['PLAIN', 'DELTA_BINARY_PACKED'] },
  ts_micros: { el: { type: 'INT64', converted_type: 'TIMESTAMP_MICROS' }, gen: () => BigInt(ri(-1e9, 4e9)) * 1000000n, canon: v => String(v), enc: ['PLAIN'] },
  ts_nanos: { el: { type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'NANOS' } }, gen: () => BigInt(ri(0, 4e9)) * 1000000000n + BigInt(ri(0, 999999999)), canon: v => String(v), enc: ['PLAIN', 'DELTA_BINARY_PACKED'] },
  dec_i32: { el: { type: 'INT32', converted_type: 'DECIMAL', precision: 9, scale: 2 }, gen: () => BigInt(ri(-999999999, 999999999)), canon: v => String(v), enc: ['PLAIN'] },
  dec_i64: { el: { type: 'INT64', converted_type: 'DECIMAL', precision: 18, scale: 4 }, gen: () => big(56, true), canon: v => String(v), enc: ['PLAIN'] },
  dec_flba: { el: { type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, converted_type: 'DECIMAL', precision: 38, scale: 10 }, gen: () => big(120, true), canon: v => String(v), enc: ['PLAIN'] },
  dec_ba: { el: { type: 'BYTE_ARRAY', converted_type: 'DECIMAL', precision: 20, scale: 3 }, gen: () => big(64, true), canon: v => String(v), enc: ['PLAIN'] },
  float16: { el: { type: 'FIXED_LEN_BYTE_ARRAY', type_length: 2, logical_type: { type: 'FLOAT16' } }, gen: () => ri(-400, 400) / 4, canon: v => v, enc: ['PLAIN'] },
  uuid: { el: { type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, logical_type: { type: 'UUID' } }, gen: () => Uint8Array.from({ length: 16 }, () => ri(0, 255)), canon: hex, enc: ['PLAIN'] },
}
const PRIM_NAMES = Object.keys(PRIMS)

// A random field: {schema: [elements depth-first], gen(), canon(v), leaves: [{path, prim}]}.
function randomField(name, depth) {
  const optional = rnd() < 0.7
  const rep = optional ? 'OPTIONAL' : 'REQUIRED'
  const nullP = optional ? pick([0, 0.1, 0.5, 1]) : 0
  const withNull = (gen) => () => (nullP && rnd() < nullP ? null : gen())
  const kind = depth >= 3 ? 'prim' : pick(['prim', 'prim', 'prim', 'list', 'struct', 'map'])
  if (kind === 'prim') {
    const pn = pick(PRIM_NAMES)
    const p = PRIMS[pn]
    return {
      schema: [{ name, repetition_type: rep, ...p.el }],
      gen: withNull(p.gen),
      canon: v => (v === null ? null : p.canon(v)),
      leaves: [{ path: [name], prim: pn }],
    }
  }
  if (kind === 'list') {
    const elem = randomField('element', depth + 1)
    return {
      schema: [{ name, repetition_type: rep, converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 }, ...elem.schema],
      gen: withNull(() => Array.from({ length: pick([0, 1, 2, 3, 5]) }, elem.gen)),
      canon: v => (v === null ? null : v.map(elem.canon)),
      leaves: elem.leaves.map(l => ({ path: [name, 'list', ...l.path], prim: l.prim })),
    }
  }
  if (kind === 'map') {
    const kp = pick(['string', 'int32', 'int64'])
    const value = randomField('value', depth + 1)
    const K = PRIMS[kp]
    return {
      schema: [{ name, repetition_type: rep, converted_type: 'MAP', num_children: 1 },
        { name: 'key_value', repetition_type: 'REPEATED', num_children: 2 },
        { name: 'key', repetition_type: 'REQUIRED', ...K.el }, ...value.schema],
      gen: withNull(() => Array.from({ length: pick([0, 1, 2, 4]) }, () => ({ key: K.gen(), value: value.gen() }))),
      canon: v => (v === null ? null : v.map(e => ({ key: K.canon(e.key), value: value.canon(e.value) }))),
      leaves: [{ path: [name, 'key_value', 'key'], prim: kp },
        ...value.leaves.map(l => ({ path: [name, 'key_value', ...l.path], prim: l.prim }))],
    }
  }
  const n = ri(1, 3)
  const kids = Array.from({ length: n }, (_, i) => randomField('f' + i, depth + 1))
  return {
    schema: [{ name, repetition_type: rep, num_children: n }, ...kids.flatMap(k => k.schema)],
    gen: withNull(() => Object.fromEntries(kids.map((k, i) => ['f' + i, k.gen()]))),
    canon: v => (v === null ? null : Object.fromEntries(kids.map((k, i) => ['f' + i, k.canon(v['f' + i])]))),
    leaves: kids.flatMap(k => k.leaves.map(l => ({ path: [name, ...l.path], prim: l.prim }))),
  }
}

const manifest = []
const CODECS = ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'BROTLI', 'LZ4', 'ZSTD', 'LZ4_RAW']
const nFiles = Number(filesArg) || 10
let skipped = 0
for (let k = 0; k < nFiles; k++) {
  const ncols = ri(1, 5)
  const fields = Array.from({ length: ncols }, (_, i) => randomField('c' + i, 0))
  const rows = pick([0, 1, 7, 100, 1000, 1000, 3000, 3000])
  const data = fields.map(f => Array.from({ length: rows }, f.gen))
  const schema = [{ name: 'root', num_children: ncols }, ...fields.flatMap(f => f.schema)]
  const expect = {
    columns: fields.map((_, i) => 'c' + i),
    rows: Array.from({ length: rows }, (_, r) => fields.map((f, c) => f.canon(data[c][r]))),
  }
  const expectName = `expect_${k}.json`
  writeFileSync(join(outDir, expectName), JSON.stringify(expect))
  // hyparquet-writer: dictionary by default; a flat column may ask for another encoding.
  const columnData = fields.map((f, i) => {
    const cd = { name: 'c' + i, data: data[i] }
    const p = PRIMS[f.leaves[0].prim]
    if (f.leaves.length === 1 && f.schema.length === 1 && p.hyEnc && rnd() < 0.5) cd.encoding = pick(p.hyEnc)
    return cd
  })
  const hyName = `t${k}_hyparquet.parquet`
  const hyBytes = new Uint8Array(parquetWriteBuffer({
    columnData, schema, pageSize: pick([256, 4096, 1 << 20]), rowGroupSize: pick([100, 1000, [50, 700]]),
    codec: pick(['SNAPPY', 'UNCOMPRESSED']),
  }))
  writeFileSync(join(outDir, hyName), hyBytes)
  manifest.push({ file: hyName, expect: expectName, writer: 'hyparquet-writer', desc: JSON.stringify(columnData.map(c => c.encoding || 'dict')) })
  // parquet-wasm re-encodings of the same rows.
  const variants = [...CODECS.map(c => ({ codec: c })), { dict: false }, { dict: false, v2: true }, { v2: true, codec: 'ZSTD' }, { dict: false, pages: 200 }]
  for (let v = 0; v < variants.length; v++) {
    const o = variants[v]
    const codec = o.codec || pick(CODECS)
    const v2 = o.v2 ?? rnd() < 0.5
    const dict = o.dict ?? rnd() < 0.6
    let b = new pw.WriterPropertiesBuilder()
      .setCompression(pw.Compression[codec])
      .setWriterVersion(v2 ? pw.WriterVersion.V2 : pw.WriterVersion.V1)
      .setDictionaryEnabled(dict)
      .setDataPageSizeLimit(o.pages || pick([128, 1024, 1 << 20]))
      .setMaxRowGroupSize(pick([64, 500, 1 << 20]))
    const encs = []
    for (const f of fields) {
      for (const l of f.leaves) {
        const e = pick(PRIMS[l.prim].enc)
        if (!dict && e !== 'PLAIN') {
          b = b.setColumnEncoding(l.path.join('.'), pw.Encoding[e])
          encs.push(l.path.join('.') + '=' + e)
        }
      }
    }
    const name = `t${k}_wasm${v}.parquet`
    try {
      const table = pw.readParquet(hyBytes)
      const out = pw.writeParquet(table, b.build())
      writeFileSync(join(outDir, name), out)
      manifest.push({ file: name, expect: expectName, writer: 'parquet-wasm', desc: `${codec} ${v2 ? 'v2' : 'v1'} dict=${dict} ${encs.join(',')}` })
    } catch (e) {
      skipped++
      process.stderr.write(`skip ${name}: ${e}\n`)
    }
  }
}
writeFileSync(join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 1))
process.stderr.write(`${manifest.length} files, ${skipped} variants refused by parquet-wasm\n`)
