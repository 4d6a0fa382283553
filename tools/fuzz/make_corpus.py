#!/usr/bin/env python3
"""tools/fuzz/make_corpus.py: (re)writes the seed corpus tools/fuzz/corpus/<harness>/seed-* from docs/examples and
the bad inputs of tools/test/cli_test.sh and lib/test/io/io.test.cpp. Files added by hand or by fuzzing
(crash-*, regress-*, merged inputs) are left alone. Run from anywhere: python3 tools/fuzz/make_corpus.py"""
import glob
import os
import struct

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
corpus = os.path.join(root, "tools", "fuzz", "corpus")


def put(harness, name, data):
    d = os.path.join(corpus, harness)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def clear_seeds():
    for f in glob.glob(os.path.join(corpus, "*", "seed-*")):
        os.remove(f)


clear_seeds()

# ---- config: the examples, and the bad configs of cli_test.sh (write_config layout)
for f in sorted(glob.glob(os.path.join(root, "docs", "examples", "*.toml"))):
    put("config", os.path.basename(f), open(f, "rb").read())

GEN = 'kind = "xu2025"\nm = 10\nn = 10\nh = 100'
LORA = 'rank = 4\ninit = "small"\nalpha = "1e-4"'


def cfg(problem, lora, extra="", sets=()):
    text = ('[problem]\n%s\n\n[lora]\n%s\n\n[solve]\nt_end = 0.1\n\n[observe]\ntimes = "linspace:0:0.1:3"\n%s\n'
            % (problem, lora, extra))
    if sets:
        text += "#--set\n" + "\n".join(sets) + "\n"
    return text


bad_configs = {
    "ok_small": cfg(GEN, LORA),
    "missing_alpha": cfg(GEN, 'rank = 4\ninit = "small"'),
    "unknown_key": cfg(GEN, LORA + '\nalpah = "1e-4"'),
    "unknown_section": cfg(GEN, LORA, '\n[solver]\nrtol = "1e-10"'),
    "m_not_integer": cfg('kind = "xu2025"\nm = "ten"', LORA),
    "alpha_zero": cfg(GEN, 'rank = 4\ninit = "small"\nalpha = "0"'),
    "alpha_negative": cfg(GEN, 'rank = 4\ninit = "small"\nalpha = "-1e-5"'),
    "rank_too_big": cfg(GEN, 'rank = 11\ninit = "small"\nalpha = "1e-4"'),
    "files_rank": cfg('kind = "files"\nW1 = "p/W1.npy"\nW2 = "p/W2.npy"\ndY = "p/dY.npy"',
                      'rank = 11\ninit = "small"\nalpha = "1e-4"'),
    "files_abs_paths": cfg('kind = "files"\nW1 = "/nowhere/W1.npy"\nW2 = "../W2.txt"\ndY = "p/./dY.npy"', LORA),
    "set_no_equals": cfg(GEN, LORA, sets=["lora.alpha"]),
    "set_negative": cfg(GEN, LORA, sets=["lora.alpha=-1"]),
    "set_unknown_section": cfg(GEN, LORA, sets=["lorra.alpha=1e-5"]),
    "set_many": cfg(GEN, LORA, sets=["solve.t_end=1.5", 'observe.times="linspace:0:1.5:151"', "solve.precision=50",
                                      "problem.m=8", "lora.init=spectral", "solve.method=rk4", "solve.dt=1e-3"]),
    "times_list": cfg(GEN, LORA, sets=['observe.times=[0, "1e-3", 0.5, 2]']),
    "times_logspace": cfg(GEN, LORA, sets=['observe.times="logspace:-3:1:9"']),
    "precision_mpfr": cfg(GEN, LORA, sets=['solve.precision="mpfr:40"', "solve.method=taylor",
                                           "solve.taylor_order=12"]),
    "pair_bottom": cfg(GEN, LORA, sets=['problem.pair=["top", "bottom", 3]', 'problem.sigma=["5", 4, 3.5]']),
    "frame_singular": cfg(GEN, LORA, sets=['solve.frame="singular"', 'lora.adapters=["W2"]']),
    "weight_decay": cfg(GEN, LORA, sets=['lora.weight_decay="-0"', 'solve.atol=0']),
    "init_files": cfg(GEN, 'init = "files"\nA1 = "a1.txt"\nB1 = "b1.txt"\nA2 = "a2.npy"\nB2 = "b2.npy"'),
    "toml_syntax_error": "[problem\nkind = \"xu2025\n",
    "not_a_table": "problem = 5\n",
    "unicode_strings": cfg('kind = "files"\nW1 = "d\u00e9j\u00e0/W1.npy"\nW2 = "\\u00e9/W2.npy"\ndY = \'\'\'dY\n.npy\'\'\'', LORA),
}
for name, text in bad_configs.items():
    put("config", name + ".toml", text)

# ---- npy: valid files in both orders and versions, and the bad headers of io.test.cpp / cli_test.sh


def npy_file(major, dct, data, align=64):
    len_bytes = 2 if major == 1 else 4
    header = dct.encode()
    unpadded = 6 + 2 + len_bytes + len(header) + 1
    header += b" " * ((align - unpadded % align) % align) + b"\n"
    out = b"\x93NUMPY" + bytes([major, 0]) + len(header).to_bytes(len_bytes, "little")
    return out + header + data


def le(vals):
    return b"".join(struct.pack("<d", v) for v in vals)


d12 = le([10.0 * i + j + 0.25 for i in range(3) for j in range(4)])
H = "{'descr': '<f8', 'fortran_order': %s, 'shape': %s, }"
npy = {
    "c_3x4": npy_file(1, H % ("False", "(3, 4)"), d12),
    "f_3x4": npy_file(1, H % ("True", "(3, 4)"), d12),
    "v2_3x4": npy_file(2, H % ("False", "(3, 4)"), d12),
    "v3_vec": npy_file(3, H % ("False", "(12,)"), d12),
    "empty_0x3": npy_file(1, H % ("False", "(0, 3)"), b""),
    "align16": npy_file(1, "{'shape': (2, 2), 'fortran_order': False, 'descr': '<f8'}", le([1, 2, 3, 4]), 16),
    "dtype_f4": npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", d12),
    "dtype_be": npy_file(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (3, 4), }", d12),
    "dtype_struct": npy_file(1, "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (3, 4), }", d12),
    "bad_magic": b"PK\x03\x04 this is a zip file, not an npy file",
    "garbage": b"this is not a numpy file\n\x01\x02\x03",
    "empty": b"",
    "version4": npy_file(2, H % ("False", "(3, 4)"), d12).replace(b"\x93NUMPY\x02", b"\x93NUMPY\x04", 1),
    "truncated_data": npy_file(1, H % ("False", "(10, 10)"), le([1.0] * 80)),
    "truncated_header": npy_file(1, H % ("False", "(3, 4)"), d12)[:40],
    "truncated_9": npy_file(1, H % ("False", "(3, 4)"), d12)[:9],
    "trailing": npy_file(1, H % ("False", "(3, 4)"), d12) + b"xyz",
    "shape_3d": npy_file(1, H % ("False", "(2, 3, 4)"), d12 + d12),
    "shape_0d": npy_file(1, H % ("False", "()"), le([1.0])),
    "shape_negative": npy_file(1, H % ("False", "(-3, 4)"), d12),
    "shape_huge": npy_file(1, H % ("False", "(4294967296, 4294967296)"), d12),
    "shape_overflow": npy_file(1, H % ("False", "(99999999999999999999999, 1)"), d12),
    "missing_shape": npy_file(1, "{'descr': '<f8', 'fortran_order': False, }", d12),
    "fortran_int": npy_file(1, "{'descr': '<f8', 'fortran_order': 0, 'shape': (3, 4), }", d12),
    "extra_key": npy_file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), 'x': 1}", d12),
    "missing_comma": npy_file(1, "{'descr': '<f8' 'fortran_order': False, 'shape': (3, 4)}", d12),
    "unclosed_dict": npy_file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4)", d12),
    "nested": npy_file(1, "{'descr': '<f8', 'fortran_order': None, 'shape': [[[(1L, \"x\\'\")]]], }", d12),
    "nan_c": npy_file(1, H % ("False", "(1, 2)"), le([1.0, float("nan")]), 128),
    "inf_f": npy_file(1, H % ("True", "(3, 4)"), le([1.0] * 5 + [float("inf")] + [1.0] * 6)),
    "neg_inf_vec": npy_file(1, H % ("False", "(3,)"), le([1.0, 2.0, float("-inf")])),
}
for name, data in npy.items():
    put("npy", name + ".npy", data)

# ---- text_matrix: the example data files and the bad inputs of io.test.cpp / cli_test.sh
for f in sorted(glob.glob(os.path.join(root, "docs", "examples", "data", "*"))):
    put("text_matrix", os.path.basename(f), open(f, "rb").read())
tm = {
    "crlf_bom_comments": b"\xef\xbb\xbf# a 3 x 2 matrix\r\n\r\n1.5, -2\t# first row\r\n   3e-5 ,4\n\n  # only a comment\n5,6",
    "long_entry": "1 0.1 .5\n-1.23456789012345678901234567890123456789012345678901234567890e-30 +5. 2E+300\n",
    "ragged": "1 2 3 4 5\n1 2 3 4 5\n1 2 3 4\n",
    "ragged_comment": "# header\n1 2\n\n1 2 3\n",
    "word": "1 2\n3 abc\n",
    "nan": "1 nan\n",
    "minus_inf": "1\n-inf\n",
    "inf_cli": "0.5 0.25\n1 inf\n",
    "double_comma": "1,,2\n",
    "leading_comma": ",1,2\n",
    "trailing_comma": "1,2,\n",
    "no_rows": "# nothing here\n\n",
    "control_bytes": b"1\x00 2\n\x7f3 4\x01\n",
}
for i, bad in enumerate(["1e", "0x1p3", "1.2.3", "--1", "e5", ".", "+", "1e+", "1_000", "1;2", "1d0"]):
    tm["bad_token_%02d" % i] = "0 0\n0 " + bad + "\n"
for name, data in tm.items():
    put("text_matrix", name + ".txt", data)

# ---- decimal: literals and near-misses (core.test.cpp, io.test.cpp, docs), and range edges
dec = ["0.01", "1e-30", "5", "-0.1", ".5", "+5.", "2E+300", "-1.2345678901234567890123456789e-30",
       "0.30000000000000000000000000000000000000000001", "abc", "1e", "nan", "", "inf", "-inf", "Infinity",
       "0x1p3", "1.2.3", "--1", "e5", ".", "+", "1e+", "1_000", "1d0", " 1", "1 ", "1e400", "1e-400", "-0",
       "0e999999", "4.9406564584124654e-324", "2.4703282292062327e-324", "1.7976931348623157e308",
       "1e-5000", "1e5000", "1e99999999999999999999", "1e-99999999999999999999", "0.000000000000000000001e21",
       "9" * 120, "1" + "0" * 400 + "e-400"]
for i, s in enumerate(dec):
    put("decimal", "%02d" % i, s)
print("corpus:", {h: len(os.listdir(os.path.join(corpus, h))) for h in sorted(os.listdir(corpus))})
