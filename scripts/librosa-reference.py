#!/usr/bin/env python3
"""
Reference values for the librosa preset (src/audio/presets.ts), computed by librosa's OWN code.

librosa cannot be installed here (no PyPI), but its spectral functions are plain numpy/scipy. This
script imports them from a librosa source tree given on the command line (not part of this
repository: `git clone https://github.com/librosa/librosa`; the fixture was made from tag 0.11.0,
the latest release), after putting tiny stand-ins in
sys.modules for the packages librosa imports at module level but that these functions never
call: numba (JIT decorators -> the undecorated Python function), joblib (the cache is disabled),
lazy_loader (the package __getattr__ is rebuilt from librosa's own .pyi stubs), the audio I/O
and resampling libraries (soundfile, soxr, audioread: never called here), and the example-data
downloader and music-interval table reader run at import (pooch, msgpack: nothing downloaded).
So the numbers below come from librosa.stft, librosa.filters.mel, librosa.feature.melspectrogram
and librosa.power_to_db themselves, unmodified, with numpy and scipy as installed.

Writes test/fixtures/librosa/reference.json (run from the repository root):
  signal: the input, 0.6 s at 22050 Hz (13230 samples, not a multiple of the hop) of a chirp,
          two tones and deterministic noise, as base64 of its float32 little-endian bytes, so both
          sides read exactly the same samples;
  for pad_mode 'constant' (librosa's default since 0.10) and 'reflect' (the default before):
    melspectrogram(y, sr=22050) (n_fft 2048, hop 512, 128 Slaney mels, norm 'slaney', power 2,
    center=True) and power_to_db(S) with librosa's defaults ref=1.0, amin=1e-10, top_db=80.
Usage: python3 scripts/librosa-reference.py /path/to/librosa-checkout [its version label]
"""
import base64
import json
import re
import subprocess
import sys
import types
from pathlib import Path

import numpy as np

src = Path(sys.argv[1]).resolve()
pkg = src / "librosa"
assert (pkg / "filters.py").exists(), f"{src} is not a librosa source tree"


def stub(name, **attrs):
    m = types.ModuleType(name)
    m.__dict__.update(attrs)
    sys.modules[name] = m
    return m


def passthrough_decorator(*args, **kwargs):
    # @jit and @jit(nopython=True, ...) alike: return the function unchanged.
    if len(args) == 1 and callable(args[0]) and not kwargs:
        return args[0]
    return lambda f: f


stub("numba", jit=passthrough_decorator, njit=passthrough_decorator, stencil=passthrough_decorator,
     guvectorize=passthrough_decorator, vectorize=passthrough_decorator, prange=range)


class Memory:  # joblib.Memory with location=None: librosa then caches nothing
    def __init__(self, *args, **kwargs):
        self.location = None


stub("joblib", Memory=Memory)
for name in ["soundfile", "soxr", "audioread", "samplerate", "resampy"]:
    stub(name)
# The example-data downloader and the music-interval tables are set up at import time; neither is
# used by the functions called here (no download happens: the downloader is never created).
stub("pooch", os_cache=lambda name: "", create=lambda *a, **k: types.SimpleNamespace(load_registry=lambda *a: None, registry={}))
stub("msgpack", load=lambda *a, **k: {})


def attach_stub(package_name, init_file):
    # What lazy_loader.attach_stub does: names listed as `from .mod import a, b` in the package's
    # .pyi are imported from .mod on first access.
    text = Path(init_file).with_suffix(".pyi").read_text()
    where = {}
    for mod, names in re.findall(r"from \.(\w+) import \(?([^)]*?)\)?\n(?=\S|$)", text + "\n", re.S):
        for n in re.findall(r"\b(\w+)\b(?:\s+as\s+\w+)?", names):
            where.setdefault(n, mod)
    for mod in re.findall(r"^from \. import (\w+)", text, re.M):
        where.setdefault(mod, None)

    def __getattr__(attr):
        import importlib
        if attr not in where:
            raise AttributeError(attr)
        if where[attr] is None:
            return importlib.import_module(f"{package_name}.{attr}")
        return getattr(importlib.import_module(f"{package_name}.{where[attr]}"), attr)

    return __getattr__, lambda: list(where), list(where)


stub("lazy_loader", attach_stub=attach_stub, load=lambda name, **kw: __import__(name))
sys.path.insert(0, str(src))

import librosa  # noqa: E402  (librosa's own __init__, with the stand-ins above)
from librosa.feature.spectral import melspectrogram  # noqa: E402
from librosa.core.spectrum import power_to_db  # noqa: E402

version = librosa.version.version if hasattr(librosa, "version") else "?"
commit = sys.argv[2] if len(sys.argv) > 2 else "unknown"

sr = 22050
n = int(0.6 * sr)  # 13230: 25 full hops + 430 samples
t = np.arange(n) / sr
rng = np.random.default_rng(7)
y = (0.3 * np.sin(2 * np.pi * (200 * t + 0.5 * 6000 * t**2))  # chirp 200 Hz .. 3800 Hz
     + 0.2 * np.sin(2 * np.pi * 440 * t) + 0.05 * np.sin(2 * np.pi * 7000 * t)
     + 0.02 * rng.standard_normal(n))
y[: sr // 10] *= np.linspace(0, 1, sr // 10)  # a fade-in, so the first frames are quieter
y[: sr // 8] = 0  # and digital silence first, so top_db's floor (max - 80 dB) is reached
y = y.astype(np.float32)

out = {"librosa_version": version, "librosa_commit": commit, "numpy": np.__version__,
       "sr": sr, "signal_f32le_base64": base64.b64encode(y.astype("<f4").tobytes()).decode(), "results": {}}
for pad_mode in ["constant", "reflect"]:
    S = melspectrogram(y=y, sr=sr, pad_mode=pad_mode)  # every other parameter at its default
    db = power_to_db(S)  # ref=1.0, amin=1e-10, top_db=80.0
    out["results"][pad_mode] = {
        "shape": list(S.shape),  # (n_mels, frames) as librosa returns it
        "mel_power": [[float(f"{v:.7g}") for v in row] for row in S.T],  # time-major: frames x mels
        "db": [[round(float(v), 4) for v in row] for row in db.T],
    }
    print(f"pad_mode={pad_mode}: mel {S.shape}, dB range {db.min():.2f} .. {db.max():.2f}")

dest = Path("test/fixtures/librosa/reference.json")
dest.parent.mkdir(parents=True, exist_ok=True)
dest.write_text(json.dumps(out, separators=(",", ":")))
print(f"wrote {dest} ({dest.stat().st_size} bytes) from librosa {version} {commit[:8]}")
