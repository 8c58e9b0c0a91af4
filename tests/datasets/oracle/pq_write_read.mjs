// Outside readers for the Parquet writer's tests (tests/datasets/parquet_write_oracle_test.cpp).
// Usage: node pq_write_read.mjs OUT.json FILE.parquet...
// Reads every file with hyparquet and with parquet-wasm (Apache Arrow's Rust reader; its Arrow
// result is read through the Arrow C data interface in wasm memory) and writes, per file:
//   { hyparquet: {rows, stats, kv} | {error}, parquet_wasm: {rows, formats, kv} | {error} }
// rows are canonical JSON, the same form the C++ test computes from the arrays it wrote:
//   null; booleans; integers of any width, dates and timestamps (in the file's unit) as decimal
//   strings; floats (float16/32/64) as "f:" + the 16 hex digits of the value as a double, NaN as
//   "NaN"; strings as strings; binary as "b:" + hex; decimals as "d:" + the unscaled integer;
//   lists as arrays; structs as objects.
// stats: per leaf column of each row group, the footer's statistics as hyparquet decodes them next
// to the min/max/null count computed here from the values hyparquet read (Parquet's ordering rules),
// the encodings of the chunk's data pages as the footer's encoding_stats lists them, and per page
// of the offset index the column index's entries next to those computed from the page's rows.
import { readFileSync, writeFileSync } from 'node:fs'
import { parquetMetadata, parquetReadObjects, parquetSchema, readOffsetIndex } from 'hyparquet'
import { convertMetadata } from 'hyparquet/src/metadata.js'
import { deserializeTCompactProtocol } from 'hyparquet/src/thrift.js'
import { DEFAULT_PARSERS } from 'hyparquet/src/convert.js'
import { compressors } from 'hyparquet-compressors'
import * as pw from 'parquet-wasm/node'

const [outPath, ...files] = process.argv.slice(2)
const hex = u8 => Array.from(u8, b => b.toString(16).padStart(2, '0')).join('')
const f64hex = x => {
  if (Number.isNaN(x)) return 'NaN'
  const dv = new DataView(new ArrayBuffer(8))
  dv.setFloat64(0, x)
  return 'f:' + hex(new Uint8Array(dv.buffer))
}
const half = h => {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff
  if (e === 0) return s * m * 2 ** -24
  if (e === 31) return m ? NaN : s * Infinity
  return s * (1 + m / 1024) * 2 ** (e - 15)
}
const beSigned = u8 => {
  let v = 0n
  for (const b of u8) v = (v << 8n) | BigInt(b)
  if (u8.length && u8[0] & 0x80) v -= 1n << BigInt(8 * u8.length)
  return v
}

// ---------------------------------------------------------------- hyparquet
// Raw values for the types hyparquet would turn into Date objects or lossy numbers.
const rawParsers = {
  timestampFromMilliseconds: v => BigInt(v),
  timestampFromMicroseconds: v => BigInt(v),
  timestampFromNanoseconds: v => BigInt(v),
  dateFromDays: v => v,
  stringFromBytes: b => b,  // metadata only: kept raw, canonicalized by the column's type below
}

function leafCanon(el) {
  const lt = el.logical_type?.type
  if (el.converted_type === 'DECIMAL' || lt === 'DECIMAL') {
    return v => 'd:' + (v instanceof Uint8Array ? beSigned(v) : BigInt(v)).toString()
  }
  if (lt === 'FLOAT16' || el.type === 'FLOAT' || el.type === 'DOUBLE') return v => f64hex(Number(v))
  if (el.type === 'BOOLEAN') return v => v
  if (el.type === 'BYTE_ARRAY' || el.type === 'FIXED_LEN_BYTE_ARRAY') {
    const isString = el.converted_type === 'UTF8' || lt === 'STRING'
    return v => (typeof v === 'string' ? v : isString ? new TextDecoder().decode(v) : 'b:' + hex(v))
  }
  return v => String(v)
}

const isList = el => el.converted_type === 'LIST' || el.logical_type?.type === 'LIST'

// Canonical form of a value read by hyparquet, walking the schema tree.
function canonHy(node, v) {
  if (v === null || v === undefined) return null
  const el = node.element
  if (!node.children.length) return leafCanon(el)(v)
  if (isList(el)) {
    const elem = node.children[0].children[0]
    return v.map(x => canonHy(elem, x))
  }
  const out = {}
  for (const c of node.children) out[c.element.name] = canonHy(c, v[c.element.name])
  return out
}

// Leaf values under `path` for statistics: [values, missing] where missing counts the leaf slots a
// null or an empty list left empty (what a writer's null_count counts).
function collect(node, v, path, acc) {
  if (v === null || v === undefined) { acc.missing++; return }
  if (!node.children.length) { acc.values.push(v); return }
  if (isList(node.element)) {
    const elem = node.children[0].children[0]
    if (!v.length) { acc.missing++; return }
    for (const x of v) collect(elem, x, path.slice(2), acc)
    return
  }
  const child = node.children.find(c => c.element.name === path[0])
  collect(child, v[path[0]], path.slice(1), acc)
}

function compareFor(el) {
  const lt = el.logical_type?.type
  if (lt === 'FLOAT16') return (a, b) => (a < b ? -1 : a > b ? 1 : 0)
  if (el.converted_type === 'DECIMAL' || lt === 'DECIMAL') return (a, b) => (a < b ? -1 : a > b ? 1 : 0)
  if (el.type === 'BYTE_ARRAY' || el.type === 'FIXED_LEN_BYTE_ARRAY') {
    return (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))
  }
  return (a, b) => (a < b ? -1 : a > b ? 1 : 0)
}

function hyparquetRead(bytes) {
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  const metadata = parquetMetadata(ab, { parsers: rawParsers })
  const root = parquetSchema(metadata)
  // Decimals: hyparquet's own conversion is a lossy float; read the unscaled values instead.
  const decimals = new Map()
  for (const el of metadata.schema) {
    if (el.converted_type === 'DECIMAL' || el.logical_type?.type === 'DECIMAL') {
      decimals.set(el, { ...el })
      delete el.converted_type
      delete el.logical_type
    }
  }
  const rows = []
  const readPromise = parquetReadObjects({
    file: ab, metadata, compressors, utf8: false,
    parsers: { ...rawParsers, stringFromBytes: b => b && new TextDecoder().decode(b) },
  })
  return readPromise.then(objs => {
    for (const [el, orig] of decimals) Object.assign(el, orig)
    for (const o of objs) {
      const r = {}
      for (const c of root.children) r[c.element.name] = canonHy(c, o[c.element.name])
      rows.push(r)
    }
    // Statistics against the values of each row group (and, through the page index, of each page).
    const stats = []
    let first = 0
    for (const [g, rg] of metadata.row_groups.entries()) {
      const n = Number(rg.num_rows)
      for (const cc of rg.columns) {
        const path = cc.meta_data.path_in_schema
        let node = root
        for (const p of path) node = node.children.find(c => c.element.name === p)
        const el = node.element
        const top = root.children.find(c => c.element.name === path[0])
        const isFloat = el.type === 'FLOAT' || el.type === 'DOUBLE' || el.logical_type?.type === 'FLOAT16'
        const isDec = el.converted_type === 'DECIMAL'
        const canon = leafCanon(el)
        // hyparquet decodes decimal statistics to Number(unscaled) * 10^-scale: compare in that form.
        const fromFooter = x => {
          if (x === undefined) return null
          if (isDec) return String(x)
          if (isFloat) return f64hex(Number(x))
          return canon(x)
        }
        const computed = (rowBegin, rowEnd) => {
          const acc = { values: [], missing: 0 }
          for (let i = rowBegin; i < rowEnd; i++) collect(top, objs[i][path[0]], path.slice(1), acc)
          let vals = acc.values
          if (isFloat) vals = vals.filter(x => !Number.isNaN(Number(x)))
          const cmp = compareFor(el)
          let min, max
          for (const x of vals) {
            const k = isDec ? (x instanceof Uint8Array ? beSigned(x) : BigInt(x)) : x
            if (min === undefined || cmp(k, min.k) < 0) min = { k, x }
            if (max === undefined || cmp(k, max.k) > 0) max = { k, x }
          }
          const show = (x, k) => {
            if (isDec) return String(Number(k) * 10 ** -(el.scale || 0))
            if (isFloat) return f64hex(Number(x))
            return canon(x)
          }
          let cmin = min ? show(min.x, min.k) : null, cmax = max ? show(max.x, max.k) : null
          // The spec: a zero min is written as -0, a zero max as +0.
          if (isFloat && min && Number(min.x) === 0) cmin = f64hex(-0)
          if (isFloat && max && Number(max.x) === 0) cmax = f64hex(0)
          return { null_count: String(acc.missing), min: cmin, max: cmax, values: acc.values.length }
        }
        const st = cc.meta_data.statistics || {}
        const whole = computed(first, first + n)
        const entry = {
          row_group: g, path: path.join('.'),
          data_page_encodings: (cc.meta_data.encoding_stats || []).filter(e => e.page_type !== 'DICTIONARY_PAGE').map(e => e.encoding),
          null_count: st.null_count === undefined ? null : String(st.null_count),
          min: fromFooter(st.min_value), max: fromFooter(st.max_value),
          computed_null_count: whole.null_count, computed_min: whole.min, computed_max: whole.max,
        }
        if (cc.offset_index_offset !== undefined) {
          const reader = (off, len) => ({ view: new DataView(ab, Number(off), len), offset: 0 })
          const oi = readOffsetIndex(reader(cc.offset_index_offset, cc.offset_index_length))
          // hyparquet's readColumnIndex converts the empty bounds of null pages too (and throws on
          // them); decode with its Thrift reader and convert the bounds of non-null pages only.
          let ci
          if (cc.column_index_offset !== undefined) {
            const t = deserializeTCompactProtocol(reader(cc.column_index_offset, cc.column_index_length))
            const conv = (m, i) => (t.field_1[i] ? undefined : convertMetadata(m, el, { ...DEFAULT_PARSERS, ...rawParsers }))
            ci = { null_pages: t.field_1, min_values: t.field_2.map(conv), max_values: t.field_3.map(conv), null_counts: t.field_5 }
          }
          entry.first_page_offset = String(oi.page_locations[0].offset)
          entry.data_page_offset = String(cc.meta_data.data_page_offset)
          entry.pages = oi.page_locations.map((loc, i) => {
            const begin = first + Number(loc.first_row_index)
            const end = i + 1 < oi.page_locations.length ? first + Number(oi.page_locations[i + 1].first_row_index) : first + n
            const c = computed(begin, end)
            const page = { rows: end - begin, computed_null_count: c.null_count, computed_null_page: c.values === 0 }
            if (ci) {
              page.null_page = ci.null_pages[i]
              page.null_count = String(ci.null_counts[i])
              if (!ci.null_pages[i]) {
                page.min = fromFooter(ci.min_values[i]); page.max = fromFooter(ci.max_values[i])
                page.computed_min = c.min; page.computed_max = c.max
              }
            }
            return page
          })
        }
        stats.push(entry)
      }
      first += n
    }
    const kv = {}
    for (const { key, value } of metadata.key_value_metadata || []) kv[key] = value
    return { rows, stats, kv }
  })
}

// ---------------------------------------------------------------- parquet-wasm (Arrow C data)
function parquetWasmRead(bytes) {
  const table = pw.readParquet(bytes)
  const kv = {}
  const md = table.schema.metadata()
  for (const [k, v] of md instanceof Map ? md : Object.entries(md || {})) kv[k] = v
  const ffi = table.intoFFI()
  const dv = new DataView(pw.wasmMemory().buffer)
  const u8 = new Uint8Array(pw.wasmMemory().buffer)
  const u32 = p => dv.getUint32(p, true)
  const i64 = p => Number(dv.getBigInt64(p, true))
  const cstr = p => { let e = p; while (u8[e]) e++; return new TextDecoder().decode(u8.subarray(p, e)) }
  function schemaAt(p) {
    const n = i64(p + 24), kids = u32(p + 32)
    const children = []
    for (let i = 0; i < n; i++) children.push(schemaAt(u32(kids + 4 * i)))
    return { format: cstr(u32(p)), name: cstr(u32(p + 4)), children }
  }
  function arrayAt(p) {
    const nb = i64(p + 24), nc = i64(p + 32), bufs = u32(p + 40), kids = u32(p + 44)
    const buffers = [], children = []
    for (let i = 0; i < nb; i++) buffers.push(u32(bufs + 4 * i))
    for (let i = 0; i < nc; i++) children.push(arrayAt(u32(kids + 4 * i)))
    return { length: i64(p), offset: i64(p + 16), buffers, children }
  }
  const bit = (ptr, i) => (u8[ptr + (i >> 3)] >> (i & 7)) & 1
  function value(s, a, i) {
    const j = a.offset + i
    const f = s.format
    if (f === 'n') return null
    if (a.buffers[0] && !bit(a.buffers[0], j)) return null
    const b1 = a.buffers[1]
    switch (f) {
      case 'b': return bit(b1, j) === 1
      case 'c': return String(dv.getInt8(b1 + j))
      case 'C': return String(dv.getUint8(b1 + j))
      case 's': return String(dv.getInt16(b1 + 2 * j, true))
      case 'S': return String(dv.getUint16(b1 + 2 * j, true))
      case 'i': case 'tdD': return String(dv.getInt32(b1 + 4 * j, true))
      case 'I': return String(dv.getUint32(b1 + 4 * j, true))
      case 'l': return String(dv.getBigInt64(b1 + 8 * j, true))
      case 'L': return String(dv.getBigUint64(b1 + 8 * j, true))
      case 'e': return f64hex(half(dv.getUint16(b1 + 2 * j, true)))
      case 'f': return f64hex(dv.getFloat32(b1 + 4 * j, true))
      case 'g': return f64hex(dv.getFloat64(b1 + 8 * j, true))
    }
    if (f.startsWith('ts')) return String(dv.getBigInt64(b1 + 8 * j, true))
    if (f === 'u' || f === 'z' || f === 'U' || f === 'Z') {
      const large = f === 'U' || f === 'Z'
      const off = k => (large ? i64(b1 + 8 * k) : dv.getInt32(b1 + 4 * k, true))
      const bytes = u8.subarray(a.buffers[2] + off(j), a.buffers[2] + off(j + 1))
      return f === 'u' || f === 'U' ? new TextDecoder().decode(bytes) : 'b:' + hex(bytes)
    }
    if (f.startsWith('w:')) {
      const w = Number(f.slice(2))
      return 'b:' + hex(u8.subarray(b1 + w * j, b1 + w * (j + 1)))
    }
    if (f.startsWith('d:')) {
      const lo = dv.getBigUint64(b1 + 16 * j, true), hi = dv.getBigInt64(b1 + 16 * j + 8, true)
      return 'd:' + ((hi << 64n) + lo).toString()
    }
    if (f === '+l' || f === '+L') {
      const large = f === '+L'
      const off = k => (large ? i64(b1 + 8 * k) : dv.getInt32(b1 + 4 * k, true))
      const out = []
      for (let k = off(j); k < off(j + 1); k++) out.push(value(s.children[0], a.children[0], k))
      return out
    }
    if (f === '+s') {
      const out = {}
      s.children.forEach((c, k) => { out[c.name] = value(c, a.children[k], j) })
      return out
    }
    throw new Error('unhandled Arrow format ' + f)
  }
  const schema = schemaAt(ffi.schemaAddr())
  const rows = []
  for (let b = 0; b < ffi.numArrays(); b++) {
    const batch = arrayAt(ffi.arrayAddr(b))
    for (let i = 0; i < batch.length; i++) {
      const r = {}
      schema.children.forEach((c, k) => { r[c.name] = value(c, batch.children[k], i) })
      rows.push(r)
    }
  }
  const formats = {}
  const fmt = s => (s.children.length ? s.format + '<' + s.children.map(fmt).join(',') + '>' : s.format)
  for (const c of schema.children) formats[c.name] = fmt(c)
  ffi.drop()
  return { rows, formats, kv }
}

const out = {}
for (const file of files) {
  const bytes = new Uint8Array(readFileSync(file))
  const res = {}
  try { res.hyparquet = await hyparquetRead(bytes) } catch (e) { res.hyparquet = { error: String(e?.stack || e) } }
  try { res.parquet_wasm = parquetWasmRead(bytes) } catch (e) { res.parquet_wasm = { error: String(e?.stack || e) } }
  out[file] = res
}
writeFileSync(outPath, JSON.stringify(out))
