# Oracle for mhub's CSV reader: what `datasets`' csv builder gets from pandas.read_csv (default
# options; the builder passes sep for .tsv) for each file, as the column types pyarrow would give
# (pa.Table.from_pandas) and the values (NaN -> null). Prints one JSON object per file:
#   {"columns": [{"name": ..., "type": "int64|double|bool|string"}], "rows": [[...], ...]}
# or {"error": "..."} when pandas refuses the file.
import json
import math
import sys

import numpy as np
import pandas as pd


def column_type(series):
    kind = series.dtype.kind
    if kind == "i":
        return "int64"
    if kind == "u":
        return "uint64"
    if kind == "f":
        return "double"
    if kind == "b":
        return "bool"
    values = [v for v in series if not (isinstance(v, float) and math.isnan(v))]
    if values and all(isinstance(v, (bool, np.bool_)) for v in values):
        return "bool"
    return "string"


def cell(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if math.isinf(f):
            return "Infinity" if f > 0 else "-Infinity"
        return f
    return v


for path in sys.argv[1:]:
    sep = "\t" if path.endswith(".tsv") else ","
    try:
        df = pd.read_csv(path, sep=sep)
    except Exception as e:  # noqa: BLE001 - report pandas' refusal
        print(json.dumps({"error": str(e)}))
        continue
    columns = [{"name": str(name), "type": column_type(df[name])} for name in df.columns]
    rows = [[cell(v) for v in row] for row in df.itertuples(index=False, name=None)]
    print(json.dumps({"columns": columns, "rows": rows}))
